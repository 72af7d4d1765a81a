using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

public class BuiltInRunbookTests
{
    private static void AssertEachSideEffectOnce(IReadOnlyList<string> sideEffects)
    {
        Assert.NotEmpty(sideEffects);
        Assert.Equal(sideEffects.Count, sideEffects.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Region_failover_runs_to_success_and_does_each_side_effect_once()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        var run = await h.StartAsync("region-failover", "west-us");

        var final = await h.RunToEndAsync(run);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Equal("east-us", final.FromRegion);
        var effects = h.SideEffects();
        AssertEachSideEffectOnce(effects);
        Assert.Equal(
            // The old primary's endpoint goes off first (fencing); the cache is promoted before the database.
            ["traffic.endpoint east-us", "cache.promote west-us", "database.promote west-us", "cluster.set-env west-us", "cluster.scale west-us", "traffic.endpoint west-us"],
            h.World.SideEffects.Select(e => $"{e.Kind} {e.Region}"));
        Assert.True(final.Facts.ContainsKey("rpo_seconds"), "the lag at promotion is the measured RPO");
        Assert.Equal("east-us", final.Facts["fence_pending"]); // east is down: fenced when it answers again
        Assert.Contains("could not be fenced: unreachable", final.Step("fence-old-primary")!.Detail, StringComparison.Ordinal);
        Assert.Contains(h.Notifier.Posts, p => p.Audience == "ticket");
        Assert.Contains(h.Notifier.Posts, p => p.Audience == "status-page");
        Assert.Contains(h.Notifier.Posts, p => p.Audience == "timeline" && p.Text.Contains("measured RPO", StringComparison.Ordinal));
        Assert.All(final.Steps.Where(s => s.StepId != "accept-data-loss"), s => Assert.Contains(s.Status, new[] { StepStatus.Succeeded, StepStatus.Approved }));
        Assert.Equal(StepStatus.Skipped, final.Step("accept-data-loss")!.Status);
        Assert.Equal(4, final.Steps[0].Checks.Count);
    }

    [Fact]
    public async Task Database_failover_runs_to_success_and_does_each_side_effect_once()
    {
        using var h = new EngineHarness();
        var run = await h.StartAsync("database-failover", "west-us");

        var final = await h.RunToEndAsync(run);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        AssertEachSideEffectOnce(h.SideEffects());
        Assert.Equal(["database.promote west-us", "cluster.set-env east-us"], h.World.SideEffects.Select(e => $"{e.Kind} {e.Region}"));
    }

    [Fact]
    public async Task Application_failover_runs_to_success_and_does_each_side_effect_once()
    {
        using var h = new EngineHarness();
        var run = await h.StartAsync("application-failover", "west-us");

        var final = await h.RunToEndAsync(run);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        AssertEachSideEffectOnce(h.SideEffects());
        Assert.Equal(["cluster.scale west-us", "traffic.endpoint east-us", "traffic.endpoint west-us"], h.World.SideEffects.Select(e => $"{e.Kind} {e.Region}"));
    }

    [Fact]
    public async Task Failback_after_a_failover_returns_to_the_primary_and_does_each_side_effect_once()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        await h.RunToEndAsync(await h.StartAsync("region-failover", "west-us"));
        h.World.ClearFaults("east-us");
        var before = h.World.SideEffects.Count;

        var run = await h.StartAsync("failback", "east-us");
        var final = await h.RunToEndAsync(run);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Equal("west-us", final.FromRegion);
        var failback = h.SideEffects().Skip(before).ToList();
        AssertEachSideEffectOnce(failback);
        Assert.Contains(h.World.SideEffects.Skip(before), e => e.Kind == "database.promote" && e.Region == "east-us");
        Assert.Contains(h.World.SideEffects.Skip(before), e => e.Kind == "traffic.endpoint" && e.Region == "east-us");
    }

    [Fact]
    public async Task Observers_see_every_saved_change_with_a_growing_version()
    {
        using var h = new EngineHarness();
        var run = await h.StartAsync("database-failover", "west-us");

        await h.RunToEndAsync(run);

        var changes = h.Observer.Changes;
        Assert.Equal("started", changes[0].Change.Name);
        Assert.Equal("finished", changes[^1].Change.Name);
        Assert.Contains(changes, c => c.Change.Name == "step-started");
        Assert.Contains(changes, c => c.Change.Name == "gate-opened");
        Assert.Contains(changes, c => c.Change.Name == "gate-decided");
        Assert.Contains(changes, c => c.Change.Name == "gate-skipped");
        var versions = changes.Select(c => c.Version).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal((await h.Store.GetRunAsync(run.Id, CancellationToken.None))!.Version, versions[^1]);
    }
}
