using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>
/// Past the promotion nothing is undone automatically: a failing step stops at a gate (Retry step /
/// Skip / Roll back anyway, the last confirmed by a second lead). Before it, failures still roll back.
/// </summary>
public sealed class PointOfNoReturnTests
{
    [Fact]
    public async Task Secondary_unhealthy_after_promotion_stops_at_the_gate_with_nothing_compensated_and_a_rollback_needs_two_leads()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        h.World.AfterSideEffect = effect =>
        {
            if (effect.Kind == "traffic.endpoint" && effect.Region == "west-us" && effect.Detail.Contains("enabled", StringComparison.Ordinal))
            {
                h.World.AfterSideEffect = null;
                h.World.InjectUnhealthy("west-us");
            }
            return ValueTask.CompletedTask;
        };
        var run = await RunToStopAsync(h, await h.StartAsync("region-failover", "west-us"));

        Assert.False(run.IsFinished);
        Assert.Equal("verify-services", run.State);
        Assert.True(PointOfNoReturn.IsGate(run, "verify-services"));
        var stop = run.Step("verify-services")!;
        Assert.Equal(StepStatus.AwaitingApproval, stop.Status);
        Assert.Contains("secondary_unhealthy", stop.Detail, StringComparison.Ordinal);
        Assert.Contains("Promote the west-us database to primary", stop.Detail, StringComparison.Ordinal); // what is done
        Assert.Null(run.GateExpiresAt); // a stop past the point of no return does not expire into an outcome
        var forward = new[] { "traffic.endpoint east-us", "cache.promote west-us", "database.promote west-us", "cluster.set-env west-us", "cluster.scale west-us", "traffic.endpoint west-us" };
        Assert.Equal(forward, h.World.SideEffects.Select(e => $"{e.Kind} {e.Region}"));

        // The ordinary Approve is refused here; one lead asking for a rollback is not enough.
        Assert.False((await h.DecideAsync(run, "verify-services", "bob")).Applied);
        var asked = await Choose(h, run, "bob", AfterPointOfNoReturn.RollBack);
        Assert.True(asked.Applied, asked.Message);
        Assert.Contains("second lead must confirm", asked.Message, StringComparison.Ordinal);
        run = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.False(run.IsFinished);
        Assert.Equal(forward, h.World.SideEffects.Select(e => $"{e.Kind} {e.Region}"));
        var again = await Choose(h, run, "bob", AfterPointOfNoReturn.RollBack);
        Assert.Equal(DecisionRefusal.SelfApproval, again.Refusal);
        var starter = await Choose(h, run, "alice", AfterPointOfNoReturn.Skip);
        Assert.False(starter.Applied);

        var confirmed = await Choose(h, run, "carol", AfterPointOfNoReturn.RollBack);
        Assert.True(confirmed.Applied, confirmed.Message);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.RolledBack, final.Outcome);
        Assert.Contains("confirmed by carol", final.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("not reversible, left as is: Promote the west-us database to primary", final.OutcomeReason, StringComparison.Ordinal);
        var compensations = h.World.SideEffects.Skip(forward.Length).Select(e => $"{e.Kind} {e.Region}").ToList();
        Assert.Equal(["traffic.endpoint west-us", "traffic.endpoint east-us", "cluster.scale west-us", "cluster.set-env west-us"], compensations.Take(4));
        Assert.Equal(StepStatus.Succeeded, final.Step("promote-database")!.Status);
    }

    [Fact]
    public async Task Data_inconsistency_after_the_promotion_stops_retry_runs_the_step_again_and_skip_goes_on()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        h.World.InjectDataInconsistency("west-us");
        var run = await RunToStopAsync(h, await h.StartAsync("region-failover", "west-us"));
        Assert.Equal("data-consistency", run.State);
        var effectsAtStop = h.World.SideEffects.Count;

        Assert.True((await Choose(h, run, "bob", AfterPointOfNoReturn.Retry)).Applied);
        run = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.True(PointOfNoReturn.IsGate(run, "data-consistency")); // failed again: a new stop
        Assert.Equal(2, run.Step("data-consistency")!.Attempts);

        Assert.True((await Choose(h, run, "carol", AfterPointOfNoReturn.Skip)).Applied);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Equal(StepStatus.Skipped, final.Step("data-consistency")!.Status);
        Assert.Equal(effectsAtStop, h.World.SideEffects.Count); // nothing compensated, nothing repeated
    }

    [Fact]
    public async Task The_diagram_marks_the_point_of_no_return()
    {
        using var h = new EngineHarness();
        var graph = h.Engine.ExportGraph("region-failover", GraphFormat.Mermaid);
        Assert.Contains("note right of promotedatabase : point of no return", graph, StringComparison.Ordinal);
    }

    private static Task<DecisionResult> Choose(EngineHarness h, RunRecord run, string who, AfterPointOfNoReturn choice) =>
        h.Engine.DecideAfterPointOfNoReturnAsync(new PointOfNoReturnRequest(run.Id, run.State, EngineHarness.Person(who), choice, null, null), CancellationToken.None);

    /// <summary>Approves the ordinary gates with bob until the run ends or stops past the point of no return.</summary>
    private static async Task<RunRecord> RunToStopAsync(EngineHarness h, RunRecord run)
    {
        var current = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        while (!current.IsFinished && !PointOfNoReturn.IsGate(current, current.State))
        {
            await h.ApproveGateAsync(current);
            current = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        }
        return current;
    }
}
