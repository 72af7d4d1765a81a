using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Preflight;
using DrBot.Runbooks.Tests.Infrastructure.Live;
using DrBot.Runbooks.Tests.Infrastructure.Postgres;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Preflight;

/// <summary>The pre-flight on the live adapters' servers: what it marks ready, warning and blocked, and that it only reads.</summary>
[Collection(LiveServersCollection.Name)]
public sealed class PreflightLiveTests(LiveServersFixture servers)
{
    [Fact]
    public async Task A_healthy_world_is_ready_step_by_step_with_the_archiving_warning_and_nothing_is_written()
    {
        await using var world = new LiveFailoverWorld(servers.Shared);

        var report = await Evaluator(world).EvaluateAsync(default);

        var failover = report.For("region-failover", "west-us")!;
        Assert.Equal("east-us", failover.FromRegion);
        Assert.Equal(Readiness.Ready, Step(failover, "promote-database").Readiness);
        Assert.Equal(Readiness.Ready, Step(failover, "target-configured").Readiness);
        Assert.Equal(Readiness.Ready, Step(failover, "switch-traffic").Readiness);
        Assert.Contains("endpoint east-us exists (enabled, weight 100)", Step(failover, "switch-traffic").Reason, StringComparison.Ordinal);
        Assert.Equal(Readiness.Ready, Step(failover, "scale-up").Readiness);
        Assert.Contains("1 of 10 pods used", Step(failover, "scale-up").Reason, StringComparison.Ordinal);
        // The test servers run without archive_mode: a warning, not a block.
        var lag = Step(failover, "replication-lag");
        Assert.Equal(Readiness.Warning, lag.Readiness);
        Assert.Contains("archive_mode is off", lag.Reason, StringComparison.Ordinal);
        Assert.Equal(Readiness.Warning, failover.Readiness);
        Assert.Null(report.For("region-failover", "east-us")); // the region serving now is no target
        Assert.Empty(world.Writes());
    }

    [Fact]
    public async Task A_missing_kubeconfig_context_blocks_the_steps_that_reach_that_cluster_naming_the_context()
    {
        await using var world = new LiveFailoverWorld(servers.Shared, new Dictionary<string, string?> { ["DrBot:Regions:west-us:Cluster:Context"] = "west-gone" });

        var failover = await Evaluator(world).EvaluateAsync(Catalog(world).Find("region-failover")!, "west-us", default);

        var configured = Step(failover, "target-configured");
        Assert.Equal(Readiness.Blocked, configured.Readiness);
        Assert.Contains("west-gone", configured.Reason, StringComparison.Ordinal);
        Assert.Equal(Readiness.Blocked, Step(failover, "scale-up").Readiness);
        Assert.Equal(Readiness.Blocked, failover.Readiness);
        Assert.Equal(Readiness.Ready, Step(failover, "promote-database").Readiness); // the database side is still fine
        Assert.Empty(world.West.Server.Requests); // no context, so the west API was never reached
    }

    [Fact]
    public async Task A_quota_the_scale_up_does_not_fit_blocks_it()
    {
        await using var world = new LiveFailoverWorld(servers.Shared);
        world.West.PodQuotas[LiveRunbookHarness.Namespace] = (Hard: 2, Used: 1);

        var failover = await Evaluator(world).EvaluateAsync(Catalog(world).Find("application-failover")!, "west-us", default);

        var scale = Step(failover, "scale-up");
        Assert.Equal(Readiness.Blocked, scale.Readiness);
        Assert.Contains("the standby cannot scale: quota standby-pods in ops: 1 of 2 pods used, 1 free for 2 more", scale.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_that_is_not_in_recovery_blocks_the_database_failover()
    {
        var pair = await servers.NewPostgresPairAsync();
        await PostgresDatabaseReplicaTests.Execute(pair.Replica, "SELECT pg_promote(true)");
        await using var world = new LiveFailoverWorld(pair);

        var failover = await Evaluator(world).EvaluateAsync(Catalog(world).Find("database-failover")!, "west-us", default);

        var lag = Step(failover, "check-replication-lag");
        Assert.Equal(Readiness.Blocked, lag.Readiness);
        Assert.Contains("west-us database is not in recovery", lag.Reason, StringComparison.Ordinal);
        Assert.Equal(Readiness.Blocked, Step(failover, "promote-database").Readiness);
        Assert.Equal(Readiness.Blocked, failover.Readiness);
    }

    private static StepReadiness Step(RunbookReadiness runbook, string id) =>
        runbook.Steps.SingleOrDefault(s => s.StepId == id) ?? throw new InvalidOperationException($"no step {id}: {string.Join(", ", runbook.Steps.Select(s => s.StepId))}");

    private static RunbookCatalog Catalog(LiveFailoverWorld world) => world.Harness.Get<RunbookCatalog>();

    private static PreflightEvaluator Evaluator(LiveFailoverWorld world) => new(
        Catalog(world), world.Harness.Engine, world.Harness.Get<StepRehearsalRegistry>(), world.Harness.Get<IOptions<DrBotOptions>>(),
        Options.Create(new PreflightOptions()), TimeProvider.System);
}
