using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure.Simulated;

namespace DrBot.Bot.Tests.Drills;

/// <summary>
/// The strategy's four chaos scenarios in the simulated world: each validation criterion passes
/// when the team and the systems do what the strategy asks, and fails on purpose when they do not.
/// </summary>
public sealed class ChaosDrillTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Region_failure_passes_when_the_failover_completes_within_the_RTO_and_the_result_is_archived()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        var started = await chat.SayAsync("carol", "drill region-failure");
        Assert.False(started.IsError, started.Text);
        Assert.True(bot.Get<SimulatedWorld>().GetRegion("east-us").Down);

        bot.Time.Advance(TimeSpan.FromMinutes(2));
        var run = await chat.FailoverAsync("alice", "bob", "west-us");
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));

        var drill = await DrillAsync(bot);
        Assert.Equal(ExerciseStatus.Passed, drill.Status);
        Assert.Equal(["Failover triggered", "RTO < 15 min 00 s", "Data loss < 5 min 00 s"], drill.Criteria.Select(c => c.Name));
        Assert.All(drill.Criteria, c => Assert.True(c.Passed, $"{c.Name}: {c.Measured}"));
        Assert.Equal(TimeSpan.FromMinutes(2), drill.MeasuredRto);
        Assert.False(bot.Get<SimulatedWorld>().GetRegion("east-us").Down);   // the drill's fault ends with it
        var card = Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey == $"exercise:{drill.Id}:result");
        Assert.Contains("passed", card.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Region_failure_fails_the_RTO_when_approval_comes_after_20_minutes_and_everything_when_nobody_fails_over()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill region-failure east-us");
        await chat.FailoverAsync("alice", "bob", "west-us", waitBeforeApproval: TimeSpan.FromMinutes(20));
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));
        var late = await DrillAsync(bot);
        Assert.Equal(ExerciseStatus.Failed, late.Status);
        Assert.True(late.Criteria.Single(c => c.Name == "Failover triggered").Passed);
        var rto = late.Criteria.Single(c => c.Name.StartsWith("RTO", StringComparison.Ordinal));
        Assert.False(rto.Passed);
        Assert.StartsWith("20 min", rto.Measured, StringComparison.Ordinal);

        await using var idle = InProcessBot.Create();
        var nobody = new Rehearsal(idle);
        await nobody.SayAsync("carol", "drill region-failure");
        idle.Time.Advance(TimeSpan.FromMinutes(5));
        var checkedNow = await nobody.SayAsync("bob", "drill check");
        Assert.False(checkedNow.IsError, checkedNow.Text);
        var unanswered = await DrillAsync(idle);
        Assert.All(unanswered.Criteria, c => Assert.False(c.Passed, c.Name));
        Assert.Equal("no region failover started after the fault", unanswered.Criteria[0].Measured);
    }

    [Fact]
    public async Task Database_failure_passes_with_the_replica_promoted_the_application_reconnected_and_the_marker_intact()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        Assert.False((await chat.SayAsync("carol", "drill database-failure")).IsError);
        var run = await chat.FailoverAsync("alice", "bob", "west-us", command: "failover-db");
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));
        var drill = await DrillAsync(bot);
        Assert.All(drill.Criteria, c => Assert.True(c.Passed, $"{c.Name}: {c.Measured}"));
        Assert.Contains("west-us", drill.Criteria.Single(c => c.Name == "Application reconnected").Measured, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Database_failure_fails_on_corrupted_data_and_without_a_promotion()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill database-failure");
        bot.Get<SimulatedWorld>().InjectDataInconsistency("west-us");
        await chat.FailoverAsync("alice", "bob", "west-us", command: "failover-db");
        await chat.AdvanceAsync(TimeSpan.FromMinutes(1));
        var corrupted = await DrillAsync(bot);
        Assert.True(corrupted.Criteria.Single(c => c.Name == "Replica promoted").Passed);
        var consistency = corrupted.Criteria.Single(c => c.Name == "No data corruption");
        Assert.False(consistency.Passed);
        Assert.Contains("checksums differ", consistency.Measured, StringComparison.Ordinal);

        await using var idle = InProcessBot.Create();
        var nobody = new Rehearsal(idle);
        await nobody.SayAsync("carol", "drill database-failure");
        await nobody.SayAsync("bob", "drill check");
        var none = await DrillAsync(idle);
        Assert.False(none.Criteria.Single(c => c.Name == "Replica promoted").Passed);
        Assert.False(none.Criteria.Single(c => c.Name == "Application reconnected").Passed);
    }

    [Fact]
    public async Task Network_partition_passes_when_nobody_promotes_the_cut_off_replica_and_replication_resumes()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        Assert.False((await chat.SayAsync("carol", "drill network-partition")).IsError);
        Assert.Equal(300, bot.Get<SimulatedWorld>().GetRegion("west-us").Database.ReplicationLagSeconds);
        await chat.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30));
        var drill = await DrillAsync(bot);
        Assert.Equal(ExerciseStatus.Passed, drill.Status);
        Assert.Equal("1 writable primary: east-us", drill.Criteria.Single(c => c.Name == "Split-brain prevented").Measured);
        Assert.Equal("3 of 3 regions answering health checks", drill.Criteria.Single(c => c.Name == "Quorum maintained").Measured);
        Assert.Equal("lag 0 s after healing", drill.Criteria.Single(c => c.Name == "Replication resumes").Measured);
    }

    [Fact]
    public async Task Network_partition_detects_split_brain_and_a_lost_quorum()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill network-partition west-us");
        bot.Get<SimulatedWorld>().InjectSplitBrain("west-us");
        await chat.AdvanceAsync(TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(30));
        var split = await DrillAsync(bot);
        var brain = split.Criteria.Single(c => c.Name == "Split-brain prevented");
        Assert.False(brain.Passed);
        Assert.Equal("2 writable primaries: east-us, west-us", brain.Measured);
        Assert.False(split.Criteria.Single(c => c.Name == "Replication resumes").Passed);

        await using var second = InProcessBot.Create();
        var chat2 = new Rehearsal(second);
        await chat2.SayAsync("carol", "drill network-partition west-us");
        second.Get<SimulatedWorld>().InjectRegionDown("east-us");
        second.Get<SimulatedWorld>().InjectRegionDown("north-europe");
        await chat2.SayAsync("bob", "drill check");
        var lost = await DrillAsync(second);
        var quorum = lost.Criteria.Single(c => c.Name == "Quorum maintained");
        Assert.False(quorum.Passed);
        Assert.Equal("1 of 3 regions answering health checks", quorum.Measured);
    }

    [Fact]
    public async Task Cascading_failure_reports_each_services_degradation_and_recovery_times()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        Assert.False((await chat.SayAsync("carol", "drill cascading-failure")).IsError);
        await chat.AdvanceAsync(TimeSpan.FromMinutes(8), TimeSpan.FromSeconds(30));
        var drill = await DrillAsync(bot);
        Assert.Equal(ExerciseStatus.Passed, drill.Status);
        Assert.Equal(["core-api", "graphql-gateway", "frontend"], drill.Criteria.Select(c => c.Name.Split(' ')[0]));
        Assert.Equal("failed +0 s, degradation seen +30 s, recovered +3 min 00 s (3 min 00 s down)", drill.Criteria[0].Measured);
        Assert.Equal("failed +1 min 00 s, degradation seen +1 min 00 s, recovered +4 min 00 s (3 min 00 s down)", drill.Criteria[1].Measured);
    }

    [Fact]
    public async Task Cascading_failure_fails_a_critical_service_that_stays_down_longer_than_its_RTO()
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { ["DrBot:Drills:CascadeOutage"] = "00:20:00" });
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill cascading-failure");
        await chat.AdvanceAsync(TimeSpan.FromMinutes(25));
        var drill = await DrillAsync(bot);
        Assert.Equal(ExerciseStatus.Failed, drill.Status);
        Assert.False(drill.Criteria[0].Passed);                            // core-api: critical, RTO 15 min
        Assert.True(drill.Criteria[1].Passed, drill.Criteria[1].Measured); // graphql-gateway: important, RTO 1 h
    }

    [Fact]
    public async Task A_second_drill_while_one_runs_and_a_drill_on_a_replica_are_refused_with_the_reason()
    {
        await using var bot = InProcessBot.Create();
        var chat = new Rehearsal(bot);
        await chat.SayAsync("carol", "drill network-partition");
        var second = await chat.SayAsync("carol", "drill cascading-failure");
        Assert.True(second.IsError);
        Assert.Contains("still running", second.Text, StringComparison.Ordinal);
        await chat.SayAsync("bob", "drill check");
        var wrongRegion = await chat.SayAsync("carol", "drill region-failure west-us");
        Assert.True(wrongRegion.IsError);
        Assert.Contains("east-us", wrongRegion.Text, StringComparison.Ordinal);
        var unknown = await chat.SayAsync("carol", "drill region-failure mars");
        Assert.True(unknown.IsError || unknown.Private);
        Assert.Contains("Valid regions", unknown.Text, StringComparison.Ordinal);
    }

    private static async Task<ExerciseRecord> DrillAsync(InProcessBot bot)
    {
        var drill = (await bot.Get<ExerciseArchive>().ListAsync(None)).Last();
        Assert.True(drill.IsFinished, $"{drill.Id} still running: {string.Join(" | ", drill.Notes)}");
        return drill;
    }
}
