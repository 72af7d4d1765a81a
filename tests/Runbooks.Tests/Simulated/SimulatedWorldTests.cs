using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Simulated;

public sealed class SimulatedWorldTests
{
    private static CancellationToken Ct => CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    internal static DrBotOptions InstantOptions()
    {
        var options = DrBotOptionsDefaults.Create();
        options.Infrastructure.SimulatedDelayFactor = 0;
        return options;
    }

    private SimulatedWorld NewWorld() => new(InstantOptions(), _time);

    [Fact]
    public void The_world_starts_active_passive_from_the_configured_region_roles()
    {
        var world = NewWorld();

        var east = world.GetRegion("east-us");
        Assert.True(east.Database.IsPrimary);
        Assert.True(east.Cache.IsMaster);
        Assert.True(east.Traffic!.Enabled);
        Assert.Equal(100, east.Traffic.Weight);
        Assert.All(east.Cluster.Deployments.Values, d => Assert.Equal(3, d.Replicas));
        Assert.Equal(SimulatedWorldLayout.Deployments, east.Cluster.Deployments.Keys);

        var west = world.GetRegion("WEST-US");
        Assert.False(west.Database.IsPrimary);
        Assert.False(west.Traffic!.Enabled);
        Assert.All(west.Cluster.Deployments.Values, d => Assert.InRange(d.Replicas, 0, 1));
        Assert.Equal(SimulatedWorldLayout.DatabaseUrl("east-us"), west.Cluster.Deployments["core-api"].Environment["DATABASE_URL"]);

        var north = world.GetRegion("north-europe");
        Assert.Equal(RegionRoles.Backup, north.Role);
        Assert.False(north.Database.IsPrimary);
        Assert.Null(north.Traffic);
        Assert.Empty(north.Cluster.Deployments);
        Assert.Empty(world.SideEffects);
    }

    [Fact]
    public async Task Promoting_the_replica_is_one_side_effect_and_a_second_promote_is_a_verified_no_op()
    {
        var world = NewWorld();
        var database = new SimulatedDatabase(world);

        var first = await database.PromoteAsync("west-us", Ct);
        var again = await database.PromoteAsync("west-us", Ct);

        Assert.True(first is { Succeeded: true, AlreadyDone: false });
        Assert.True(again is { Succeeded: true, AlreadyDone: true });
        var effect = Assert.Single(world.SideEffects);
        Assert.Equal(("west-us", SideEffectKinds.DatabasePromote, 1L), (effect.Region, effect.Kind, effect.Sequence));
        Assert.Equal(_time.GetUtcNow(), effect.At);
        Assert.True((await database.GetStatusAsync("west-us", Ct)).IsPrimary);
        Assert.False(world.GetRegion("east-us").Database.IsPrimary);
    }

    [Fact]
    public async Task Scaling_setting_environment_switching_traffic_and_promoting_the_cache_each_change_once()
    {
        var world = NewWorld();
        var cluster = new SimulatedCluster(world);
        var traffic = new SimulatedTraffic(world);
        var cache = new SimulatedCache(world);
        var url = SimulatedWorldLayout.DatabaseUrl("west-us");

        for (var round = 0; round < 2; round++)
        {
            Assert.True((await cluster.ScaleAsync("west-us", "policycortex", 3, null, Ct)).Succeeded);
            Assert.True((await cluster.SetEnvironmentAsync("west-us", "policycortex", "core-api", "DATABASE_URL", url, Ct)).Succeeded);
            Assert.True((await traffic.SetEndpointAsync("east-us", false, Ct)).Succeeded);
            Assert.True((await traffic.SetEndpointAsync("west-us", true, Ct)).Succeeded);
            Assert.True((await cache.PromoteAsync("west-us", Ct)).Succeeded);
        }

        Assert.Equal(
            [SideEffectKinds.ClusterScale, SideEffectKinds.ClusterSetEnvironment, SideEffectKinds.TrafficEndpoint, SideEffectKinds.TrafficEndpoint, SideEffectKinds.CachePromote],
            world.SideEffects.Select(e => e.Kind));
        Assert.All(await cluster.GetDeploymentsAsync("west-us", "policycortex", Ct), d => Assert.Equal((3, 3), (d.DesiredReplicas, d.ReadyReplicas)));
        Assert.Equal(url, await cluster.GetEnvironmentAsync("west-us", "policycortex", "core-api", "DATABASE_URL", Ct));
        var endpoints = await traffic.GetEndpointsAsync(Ct);
        Assert.Equal([("east-us", false, 0), ("west-us", true, 100)], endpoints.Select(e => (e.Region, e.Enabled, e.Weight)));
        Assert.True((await cache.GetStatusAsync("west-us", Ct)).IsMaster);
        Assert.False((await cache.GetStatusAsync("east-us", Ct)).IsMaster);
    }

    [Fact]
    public async Task Bad_requests_fail_with_what_is_valid_and_change_nothing()
    {
        var world = NewWorld();
        var cluster = new SimulatedCluster(world);

        var unknownDeployment = await cluster.ScaleAsync("west-us", "policycortex", 3, ["core-apy"], Ct);
        var wrongNamespace = await cluster.ScaleAsync("west-us", "default", 3, null, Ct);
        var dataOnly = await new SimulatedTraffic(world).SetEndpointAsync("north-europe", true, Ct);
        var unknownRegion = await new SimulatedDatabase(world).PromoteAsync("mars", Ct);

        Assert.Contains("core-api", unknownDeployment.Detail, StringComparison.Ordinal);
        Assert.Contains("policycortex", wrongNamespace.Detail, StringComparison.Ordinal);
        Assert.Contains("no traffic endpoint", dataOnly.Detail, StringComparison.Ordinal);
        Assert.Contains("east-us, west-us, north-europe", unknownRegion.Detail, StringComparison.Ordinal);
        Assert.All([unknownDeployment, wrongNamespace, dataOnly, unknownRegion], r => Assert.False(r.Succeeded));
        Assert.Empty(world.SideEffects);
    }

    [Fact]
    public async Task The_after_side_effect_hook_runs_after_the_change_is_applied_so_a_crash_there_leaves_it_done()
    {
        var world = NewWorld();
        world.AfterSideEffect = effect => throw new InvalidOperationException($"crash after {effect.Kind}");
        var database = new SimulatedDatabase(world);

        await Assert.ThrowsAsync<InvalidOperationException>(() => database.PromoteAsync("west-us", Ct));
        var retried = await database.PromoteAsync("west-us", Ct);

        Assert.True(retried.AlreadyDone);
        Assert.Single(world.SideEffects);
    }

    [Fact]
    public async Task Delays_follow_the_time_provider_and_the_delay_factor()
    {
        var options = InstantOptions();
        options.Infrastructure.SimulatedDelayFactor = 1;
        var world = new SimulatedWorld(options, _time);

        var promote = new SimulatedDatabase(world).PromoteAsync("west-us", Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(promote.IsCompleted);
        Assert.Empty(world.SideEffects);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True((await promote).Succeeded);
        Assert.Single(world.SideEffects);
    }

    [Fact]
    public async Task State_and_side_effects_survive_a_restart_when_a_state_file_is_given()
    {
        var folder = Path.Combine(Path.GetTempPath(), "drbot-sim-" + Guid.NewGuid().ToString("N"));
        var file = Path.Combine(folder, "world.json");
        try
        {
            var world = new SimulatedWorld(InstantOptions(), _time, file);
            await new SimulatedDatabase(world).PromoteAsync("west-us", Ct);
            world.InjectRegionDown("east-us");

            var restarted = new SimulatedWorld(InstantOptions(), _time, file);

            Assert.True(restarted.GetRegion("West-US").Database.IsPrimary);
            Assert.True(restarted.GetRegion("east-us").Down);
            Assert.Single(restarted.SideEffects);
            Assert.True((await new SimulatedDatabase(restarted).PromoteAsync("west-us", Ct)).AlreadyDone);
            Assert.Equal([file], Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
