using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

public class RollbackTests
{
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
