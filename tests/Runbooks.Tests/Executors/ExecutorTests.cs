using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Time.Testing;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Executors;

/// <summary>Each executor against the simulated world: verify before acting, so a repeat changes nothing.</summary>
public class ExecutorTests
{
    private readonly SimulatedWorld _world;
    private readonly RunRecord _run = new() { Id = "run-1", Runbook = "region-failover", Region = "west-us", FromRegion = "east-us" };

    public ExecutorTests()
    {
        var options = new DrBotOptions();
        options.Infrastructure.SimulatedDelayFactor = 0;
        options.Regions["east-us"] = new RegionOptions { Role = "primary" };
        options.Regions["west-us"] = new RegionOptions { Role = "secondary" };
        options.Regions["north-europe"] = new RegionOptions { Role = "backup" };
        _world = new SimulatedWorld(options, new FakeTimeProvider());
    }

    private async Task<StepResult> RunAsync(IStepExecutor executor, params (string Key, string Value)[] args)
    {
        var step = new StepDefinition("step", "Step", StepKind.Action, executor.Name, args.ToDictionary(a => a.Key, a => a.Value));
        var result = await executor.ExecuteAsync(new StepContext(_run, step, StepArguments.Resolve(step.Arguments, _run)), CancellationToken.None);
        foreach (var (key, value) in result.Facts ?? new Dictionary<string, string>())
        {
            _run.Facts[key] = value;
        }
        return result;
    }

    [Fact]
    public async Task Promote_records_the_lag_at_promotion_as_the_measured_rpo_and_a_repeat_does_nothing()
    {
        _world.InjectReplicationLag("west-us", 42);
        var promote = new DatabasePromoteExecutor(new SimulatedDatabase(_world));

        var first = await RunAsync(promote, ("region", "{region}"));
        var second = await RunAsync(promote, ("region", "{region}"));

        Assert.Equal(StepResultKind.Succeeded, first.Kind);
        Assert.Equal("42", first.Facts!["rpo_seconds"]);
        Assert.Equal(StepResultKind.Succeeded, second.Kind);
        Assert.Contains("already done", second.Detail);
        Assert.Equal("42", _run.Facts["rpo_seconds"]);
        Assert.Single(_world.SideEffects);
    }

    [Fact]
    public async Task Scaling_up_remembers_the_replicas_before_and_the_compensation_scales_back_to_them()
    {
        var cluster = new SimulatedCluster(_world);
        var before = (await cluster.GetDeploymentsAsync("west-us", "policycortex", CancellationToken.None)).Min(d => d.DesiredReplicas);

        await RunAsync(new ClusterScaleExecutor(cluster), ("region", "west-us"), ("replicas", "3"));
        await RunAsync(new ClusterScaleExecutor(cluster), ("region", "west-us"), ("replicas", "3"));
        Assert.All(await cluster.GetDeploymentsAsync("west-us", "policycortex", CancellationToken.None), d => Assert.Equal(3, d.DesiredReplicas));
        await RunAsync(new ClusterRestoreScaleExecutor(cluster), ("region", "west-us"));
        await RunAsync(new ClusterRestoreScaleExecutor(cluster), ("region", "west-us"));

        Assert.All(await cluster.GetDeploymentsAsync("west-us", "policycortex", CancellationToken.None), d => Assert.Equal(before, d.DesiredReplicas));
        Assert.Equal(2, _world.SideEffects.Count);
    }

    [Fact]
    public async Task The_connection_string_update_points_at_the_new_database_once_and_its_compensation_restores_the_old_one()
    {
        var cluster = new SimulatedCluster(_world);
        var old = await cluster.GetEnvironmentAsync("west-us", "policycortex", "core-api", "DATABASE_URL", CancellationToken.None);

        await RunAsync(new UpdateConnectionStringExecutor(cluster), ("cluster", "west-us"), ("database", "west-us"));
        await RunAsync(new UpdateConnectionStringExecutor(cluster), ("cluster", "west-us"), ("database", "west-us"));
        Assert.Equal(SimulatedWorldLayout.DatabaseUrl("west-us"), await cluster.GetEnvironmentAsync("west-us", "policycortex", "core-api", "DATABASE_URL", CancellationToken.None));
        var restored = await RunAsync(new RestoreConnectionStringExecutor(cluster), ("cluster", "west-us"));

        Assert.Equal(StepResultKind.Succeeded, restored.Kind);
        Assert.Equal(old, await cluster.GetEnvironmentAsync("west-us", "policycortex", "core-api", "DATABASE_URL", CancellationToken.None));
    }

    [Fact]
    public async Task The_traffic_switch_disables_the_old_endpoint_enables_the_new_one_and_a_repeat_does_nothing()
    {
        var traffic = new SimulatedTraffic(_world);

        var first = await RunAsync(new TrafficSwitchExecutor(traffic), ("from", "{from}"), ("to", "{region}"));
        await RunAsync(new TrafficSwitchExecutor(traffic), ("from", "{from}"), ("to", "{region}"));

        Assert.Equal(StepResultKind.Succeeded, first.Kind);
        var endpoints = await traffic.GetEndpointsAsync(CancellationToken.None);
        Assert.False(endpoints.Single(e => e.Region == "east-us").Enabled);
        Assert.True(endpoints.Single(e => e.Region == "west-us").Enabled);
        Assert.Equal(["east-us", "west-us"], _world.SideEffects.Select(e => e.Region));
    }

    [Fact]
    public async Task The_primary_down_check_fails_while_the_primary_still_answers()
    {
        var check = new PrimaryDownCheck(new SimulatedHealthProbe(_world), new SimulatedDatabase(_world));

        var healthy = await RunAsync(check, ("region", "{from}"));
        _world.InjectRegionDown("east-us");
        var down = await RunAsync(check, ("region", "{from}"));

        Assert.Equal(StepResultKind.Failed, healthy.Kind);
        Assert.Contains("still answers", healthy.Detail);
        Assert.Equal(StepResultKind.Succeeded, down.Kind);
        Assert.Equal("true", _run.Facts["primary_down"]);
    }

    [Fact]
    public async Task The_lag_check_records_the_lag_and_fails_only_over_its_limit()
    {
        _world.InjectReplicationLag("west-us", 75);
        var check = new ReplicationLagCheck(new SimulatedDatabase(_world));

        var recordOnly = await RunAsync(check, ("region", "west-us"));
        var limited = await RunAsync(check, ("region", "west-us"), ("max_seconds", "60"));

        Assert.Equal(StepResultKind.Succeeded, recordOnly.Kind);
        Assert.Equal("75", _run.Facts["replication_lag_seconds"]);
        Assert.Equal(StepResultKind.Failed, limited.Kind);
        Assert.Contains("over 60 s", limited.Detail);
    }

    [Fact]
    public async Task An_unhealthy_region_reports_the_secondary_unhealthy_rollback_signal()
    {
        _world.InjectUnhealthy("west-us");

        var verify = await RunAsync(new ServicesVerifyExecutor(new SimulatedHealthProbe(_world), new SimulatedCluster(_world)), ("region", "west-us"));
        var healthy = await RunAsync(new RegionHealthyCheck(new SimulatedHealthProbe(_world)), ("region", "west-us"));

        Assert.Equal(RollbackSignals.SecondaryUnhealthy, verify.RollbackSignal);
        Assert.Equal(RollbackSignals.SecondaryUnhealthy, healthy.RollbackSignal);
        Assert.Equal("false", _run.Facts["secondary_healthy"]);
    }

    [Fact]
    public async Task Inconsistent_data_reports_the_data_inconsistency_rollback_signal()
    {
        _world.InjectDataInconsistency("west-us");

        var result = await RunAsync(new DataConsistencyExecutor(new SimulatedDatabase(_world)), ("region", "west-us"));

        Assert.Equal(StepResultKind.Failed, result.Kind);
        Assert.Equal(RollbackSignals.DataInconsistency, result.RollbackSignal);
    }

    [Fact]
    public void The_registry_finds_executors_by_name_and_refuses_a_name_registered_twice()
    {
        var traffic = new SimulatedTraffic(_world);
        var registry = new StepExecutorRegistry([new TrafficEnableExecutor(traffic), new TrafficDisableExecutor(traffic)]);

        Assert.IsType<TrafficEnableExecutor>(registry.Find("traffic.enable"));
        Assert.Null(registry.Find("traffic.flip"));
        Assert.Throws<InvalidOperationException>(() => new StepExecutorRegistry([new TrafficEnableExecutor(traffic), new TrafficEnableExecutor(traffic)]));
    }
}
