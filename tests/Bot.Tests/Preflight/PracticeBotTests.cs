using DrBot.Bot.Commands;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Preflight;

/// <summary><c>--practice</c> from chat on the simulated world: the whole runbook, gates included, and nothing changes; the KPIs count a practice, not a failover.</summary>
public sealed class PracticeBotTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("failover west-us --practice", "region-failover")]
    [InlineData("/failover west-us --planned --practice", "planned-switchover")]
    [InlineData("failover-app --practice west-us", "application-failover")]
    [InlineData("runbook start database-failover west-us --practice", "database-failover")]
    public void The_practice_flag_makes_any_runbook_start_a_practice(string text, string runbook)
    {
        var parsed = new CommandParser(["east-us", "west-us"], ["region-failover", "database-failover", "application-failover", "planned-switchover"]).Parse(text);

        Assert.Equal(new StartRunbookCommand(runbook, "west-us", Practice: true), parsed.Command);
    }

    [Fact]
    public void A_practice_without_a_region_is_answered_with_the_usage()
    {
        var parsed = new CommandParser(["east-us", "west-us"], ["region-failover"]).Parse("failover --practice");

        Assert.Null(parsed.Command);
        Assert.Contains("Usage: failover <region> [--planned] [--practice]", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_practice_failover_runs_every_step_with_its_gates_changes_nothing_and_is_no_failover_in_the_kpis()
    {
        await using var bot = InProcessBot.Create();
        var say = new Rehearsal(bot);
        var world = bot.Get<SimulatedWorld>();
        var before = world.Snapshot();

        var started = await say.SayAsync("alice", "failover west-us --practice");
        Assert.False(started.IsError, started.Text);
        Assert.Contains("practice", started.Text, StringComparison.Ordinal);
        var engine = bot.Get<RunbookEngine>();
        var run = await engine.AdvanceAsync((await bot.Store.ListRunsAsync(true, None)).Single().Id, None);
        Assert.True(run.Practice);
        Assert.Null(run.IncidentId);
        Assert.Empty(await bot.Get<IncidentService>().ListOpenAsync(None)); // nobody was paged for a practice
        Assert.Equal("pre-failover-checks", run.State); // east-us is up: the lead decides whether to go on, as in a real run

        var card = await bot.Get<RunCardProjection>().BuildCardAsync(run, None);
        Assert.StartsWith("🧪 Practice: ", card.Title, StringComparison.Ordinal);
        Assert.Contains("Practice: nothing changes.", card.Actions.Single(b => b.Verb == "approve").Confirm!.Text, StringComparison.Ordinal);
        // A real failover to the same region is not blocked by the practice.
        Assert.False((await say.SayAsync("carol", "failover west-us")).Private);

        run = await DecideAsync(engine, run, "bob");
        Assert.Equal("approve-failover", run.State);
        // Region failover's gate takes two leads, in a practice too.
        run = await DecideAsync(engine, run, "bob");
        Assert.Equal("approve-failover", run.State);
        run = await DecideAsync(engine, run, "carol");

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal("would disable endpoint east-us; would enable endpoint west-us", run.Step("switch-traffic")!.Detail);
        Assert.StartsWith("would promote the west-us database to primary", run.Step("promote-database")!.Detail, StringComparison.Ordinal);
        var after = world.Snapshot();
        Assert.Equal(before.SideEffects.Count, after.SideEffects.Count);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(before.Regions), System.Text.Json.JsonSerializer.Serialize(after.Regions));

        var (report, _) = await bot.Get<DrBot.Bot.Kpis.KpiService>().ComputeAsync("all", None);
        Assert.Equal(0, report!.FailoversFinished);
        Assert.Equal(1, report.PracticesFinished);
        Assert.Equal(1, report.PracticesSucceeded);
        Assert.Contains("drbot_practice_runs_total{result=\"succeeded\"} 1", DrBot.Bot.Kpis.KpiMetrics.Render(report), StringComparison.Ordinal);
    }

    private static async Task<RunRecord> DecideAsync(RunbookEngine engine, RunRecord run, string who)
    {
        var decided = await engine.DecideAsync(new GateDecisionRequest(run.Id, run.State, InProcessBot.Person(who), true, "practice", run.Version), None);
        Assert.True(decided.Applied, decided.Message);
        return await engine.AdvanceAsync(run.Id, None);
    }
}
