using DrBot.Bot.Kpis;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Validation;
using DrBot.Runbooks.Drills;

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
            ["DrBot:Regions:west-us:Database:ConnectionString"] = $"Host=127.0.0.1;Port={ChildProcess.FreePort()};Username=postgres;Database=postgres;Timeout=2",
            ["DrBot:Validation:Tables:0"] = "public.orders",
            ["DrBot:Validation:ScratchDirectory"] = scratch,
        });
        var chat = new Rehearsal(bot);
        var reply = await chat.SayAsync("bob", "validate backup-restore");
        Assert.False(reply.IsError, reply.Text);
        var run = await bot.Get<DrBot.Runbooks.Engine.RunbookEngine>().AdvanceAsync("run-1", None);
        Assert.Equal(DrBot.Runbooks.Runs.RunOutcome.Failed, run.Outcome);   // the pre-checks: nothing answers, nothing was made
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));
        var record = (await bot.Get<ExerciseArchive>().GetAsync("EX-0001", None))!;
        Assert.Equal(ExerciseStatus.Failed, record.Status);
        Assert.Contains("does not answer", record.Criteria.Single(c => c.Name == "Restore completed").Measured, StringComparison.Ordinal);
        Assert.Equal("nothing was made", record.Criteria.Single(c => c.Name == "Scratch instance removed").Measured);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey == $"exercise:{record.Id}:result");
        var (report, _) = await bot.Get<KpiService>().ComputeAsync("30d", None);
        Assert.Equal((0, 1), (report!.BackupsSucceeded, report.BackupsTotal));
        Directory.Delete(scratch);
    }
}
