using DrBot.Bot.Kpis;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Validation;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Tests.Infrastructure.Servers;

namespace DrBot.Bot.Tests.Validation;

/// <summary>
/// <c>validate</c> in the bot: refused with the missing key when no PostgreSQL is configured; a
/// failed restore is archived, carded and counted in the backup KPI. (The validations themselves
/// run against real PostgreSQL in tests/Runbooks.Tests/Validation.)
/// </summary>
public sealed class ValidationCommandTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Without_a_configured_database_validate_is_refused_naming_the_key()
    {
        await using var bot = InProcessBot.Create();
        var reply = await new Rehearsal(bot).SayAsync("carol", "validate backup-restore");
        Assert.True(reply.IsError);
        Assert.Contains("DrBot:Regions:east-us:Database:ConnectionString", reply.Text, StringComparison.Ordinal);
        Assert.Empty(await bot.Get<ExerciseArchive>().ListAsync(None));
        Assert.True((await new Rehearsal(bot).SayAsync("alice", "validate everything")).Private);
    }

    [Fact]
    public async Task A_restore_that_cannot_reach_the_primary_is_archived_as_failed_and_counts_against_the_backup_KPI()
    {
        var scratch = Directory.CreateTempSubdirectory("drbot-validate-").FullName;
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Regions:east-us:Database:ConnectionString"] = $"Host=127.0.0.1;Port={ChildProcess.FreePort()};Username=postgres;Database=postgres;Timeout=2",
            ["DrBot:Validation:Tables:0"] = "public.orders",
            ["DrBot:Validation:ScratchDirectory"] = scratch,
        });
        var (ok, message, record) = await bot.Get<ValidationService>().RunAsync(ExerciseKinds.BackupRestore, InProcessBot.Person("bob"), None);
        Assert.True(ok, message);
        Assert.Equal(ExerciseStatus.Failed, record!.Status);
        Assert.False(record.Criteria.Single(c => c.Name == "Restore completed").Passed);
        Assert.True(record.Criteria.Single(c => c.Name == "Scratch instance removed").Passed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey == $"exercise:{record.Id}:result");
        var (report, _) = await bot.Get<KpiService>().ComputeAsync("30d", None);
        Assert.Equal((0, 1), (report!.BackupsSucceeded, report.BackupsTotal));
        Directory.Delete(scratch);
    }
}
