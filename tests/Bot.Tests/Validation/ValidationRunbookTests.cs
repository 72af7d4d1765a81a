using System.Globalization;
using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using Npgsql;

namespace DrBot.Bot.Tests.Validation;

/// <summary>
/// The validations as runbooks in the bot, on a real PostgreSQL pair: started by hand (<c>runbook start</c>)
/// or by <c>validate</c>, with the run's card, gate and audit, and archived as an exercise with the
/// criteria its steps measured once the run has ended.
/// </summary>
[Collection(LiveServersCollection.Name)]
public sealed class ValidationRunbookTests(LiveServersFixture servers)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Backup_restore_started_by_hand_waits_for_a_lead_then_restores_at_the_LSN_and_is_archived_with_its_criteria_and_audit()
    {
        var pair = await servers.NewPostgresPairAsync();
        await Sql.ExecuteAsync(pair.Primary.ConnectionString, "CREATE TABLE public.orders (id int PRIMARY KEY); INSERT INTO public.orders SELECT generate_series(1, 300);");
        var scratch = Directory.CreateTempSubdirectory("drbot-validate-").FullName;
        await ChildProcess.GiveToPostgresAsync(scratch);
        await using var bot = InProcessBot.Create(settings: Settings(pair, scratch));
        var chat = new Rehearsal(bot);

        var reply = await chat.SayAsync("bob", "runbook start backup-restore west-us");
        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("backup-restore EX-0001 started by Bob as run-1 (east-us → west-us)", reply.Text, StringComparison.Ordinal);
        var engine = bot.Get<RunbookEngine>();
        var run = await engine.AdvanceAsync("run-1", None);
        Assert.Equal("approve-replay-pause", run.State);   // nothing made before a lead says so
        Assert.Equal(0L, await Sql.ScalarAsync<long>(pair.Primary.ConnectionString, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'drbot_restore_%'"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));

        var refused = await ClickApproveAsync(bot, "alice", run);
        Assert.True(refused.IsError, refused.Text);   // on call, not a lead
        var approved = await ClickApproveAsync(bot, "bob", run);
        Assert.False(approved.IsError, approved.Text);
        run = await engine.AdvanceAsync(run.Id, None);
        Assert.True(run.Outcome == RunOutcome.Succeeded, string.Join("\n", run.Steps.Select(s => $"{s.StepId} {s.Status} {s.Detail}")));
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));

        var exercise = (await bot.Get<ExerciseArchive>().GetAsync("EX-0001", None))!;
        Assert.Equal(ExerciseStatus.Passed, exercise.Status);
        Assert.Matches("^300 rows, checksum [0-9a-f]{8} equal at LSN ", exercise.Criteria.Single(c => c.Name == "public.orders integrity").Measured);
        Assert.True(exercise.Criteria.Single(c => c.Name == "Smoke: SELECT count(*) = 300 FROM public.orders").Passed);
        Assert.True(exercise.Criteria.Single(c => c.Name == "Restore time within the RTO").Passed);
        Assert.StartsWith("scratch instance stopped", exercise.Criteria.Single(c => c.Name == "Scratch instance removed").Measured, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(scratch));
        Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey == "exercise:EX-0001:result");
        var audit = await bot.Store.ReadAuditAsync(None);
        Assert.Contains(audit, e => e.Action == "gate-approved" && e.Subject.StartsWith("run-1", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Action == "step-succeeded" && e.Subject == "run-1/restore-to-lsn");
        Assert.True(AuditChain.Verify(audit).Valid);
        Directory.Delete(scratch);
    }

    [Fact]
    public async Task Validate_data_consistency_runs_its_checks_in_parallel_and_reports_the_failing_archiving_as_a_failed_exercise()
    {
        var pair = await servers.NewPostgresPairAsync();
        await Sql.ExecuteAsync(pair.Primary.ConnectionString, "CREATE TABLE public.orders (id int PRIMARY KEY); INSERT INTO public.orders SELECT generate_series(1, 300);");
        await using var bot = InProcessBot.Create(settings: Settings(pair, Path.GetTempPath()));
        var chat = new Rehearsal(bot);

        var reply = await chat.SayAsync("carol", "validate data-consistency");
        Assert.False(reply.IsError, reply.Text);
        var run = await bot.Get<RunbookEngine>().AdvanceAsync("run-1", None);
        Assert.Equal(RunOutcome.Failed, run.Outcome);   // archive_mode is off on this pair
        Assert.Equal(["checksums-at-one-lsn", "replication-streaming", "wal-archiving"], run.Step("consistency-checks")!.Checks!.Select(c => c.Id));
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));

        var exercise = (await bot.Get<ExerciseArchive>().GetAsync("EX-0001", None))!;
        Assert.Equal(ExerciseStatus.Failed, exercise.Status);
        Assert.Matches("^300 rows, checksum [0-9a-f]{8} at LSN ", exercise.Criteria.Single(c => c.Name == "public.orders primary = replica").Measured);
        Assert.True(exercise.Criteria.Single(c => c.Name == "Replication streaming").Passed);
        Assert.StartsWith("archive_mode off", exercise.Criteria.Single(c => c.Name == "WAL archiving").Measured, StringComparison.Ordinal);
        Assert.False(exercise.Criteria.Single(c => c.Name == "WAL archiving").Passed);
    }

    private static Dictionary<string, string?> Settings(PostgresPair pair, string scratch) => new()
    {
        ["DrBot:Regions:east-us:Database:ConnectionString"] = pair.Primary.ConnectionString,
        ["DrBot:Regions:west-us:Database:ConnectionString"] = pair.Replica.ConnectionString,
        ["DrBot:Validation:Tables:0"] = "public.orders",
        ["DrBot:Validation:SmokeQueries:0"] = "SELECT count(*) = 300 FROM public.orders",
        ["DrBot:Validation:ScratchDirectory"] = scratch,
    };

    /// <summary><paramref name="who"/> clicks Approve on the run's current card (its data: version and facts digest).</summary>
    private static Task<ChatReply> ClickApproveAsync(InProcessBot bot, string who, RunRecord run) => GateClicks.ClickAsync(bot, run.Id, who);
}
