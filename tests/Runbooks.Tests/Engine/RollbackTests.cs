using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

public class RollbackTests
{
    [Fact]
    public async Task Secondary_unhealthy_after_promotion_runs_the_compensations_in_reverse_order()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        // The secondary falls ill right after traffic moved to it: verify-services reports secondary_unhealthy.
        h.World.AfterSideEffect = effect =>
        {
            if (effect.Kind == "traffic.endpoint" && effect.Region == "west-us" && effect.Detail.Contains("enabled", StringComparison.Ordinal))
            {
                h.World.AfterSideEffect = null;
                h.World.InjectUnhealthy("west-us");
            }
            return ValueTask.CompletedTask;
        };
        var run = await h.StartAsync("region-failover", "west-us");

        var final = await h.RunToEndAsync(run);

        Assert.Equal(RunOutcome.RolledBack, final.Outcome);
        Assert.StartsWith("secondary_unhealthy", final.OutcomeReason);
        Assert.Contains("Promote the west-us database to primary", final.OutcomeReason);
        var forward = new[] { "database.promote west-us", "cluster.set-env west-us", "cluster.scale west-us", "traffic.endpoint east-us", "traffic.endpoint west-us" };
        var compensations = new[] { "traffic.endpoint west-us", "traffic.endpoint east-us", "cluster.scale west-us", "cluster.set-env west-us" };
        Assert.Equal([.. forward, .. compensations], h.World.SideEffects.Select(e => $"{e.Kind} {e.Region}"));
        Assert.Equal(
            ["switch-traffic", "scale-up", "update-connection-string"],
            (await h.Store.GetJournalAsync(run.Id, CancellationToken.None)).Where(j => j.Phase == JournalPhase.Compensated).Select(j => j.StepId));
        Assert.Equal(StepStatus.Compensated, final.Step("switch-traffic")!.Status);
        Assert.Equal(StepStatus.Succeeded, final.Step("promote-database")!.Status);
        Assert.Equal(StepStatus.Pending, final.Step("smoke-tests")!.Status);
    }

    [Fact]
    public async Task Data_inconsistency_after_the_failover_rolls_back_too()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        h.World.InjectDataInconsistency("west-us");
        var run = await h.StartAsync("region-failover", "west-us");

        var final = await h.RunToEndAsync(run);

        Assert.Equal(RunOutcome.RolledBack, final.Outcome);
        Assert.StartsWith("data_inconsistency_detected", final.OutcomeReason);
    }

    [Fact]
    public async Task An_unhealthy_secondary_before_anything_changed_fails_the_run_without_touching_production()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        h.World.InjectUnhealthy("west-us");
        var run = await h.StartAsync("region-failover", "west-us");

        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Failed, final.Outcome);
        Assert.Contains("secondary_unhealthy", final.OutcomeReason);
        Assert.Contains(final.Steps[0].Checks, c => c.Id == "secondary-healthy" && !c.Passed);
        Assert.Empty(h.World.SideEffects);
    }
}
