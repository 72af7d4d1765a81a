using DrBot.Runbooks.Infrastructure.Simulated;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Simulated;

public sealed class SimulatedFaultTests
{
    private static CancellationToken Ct => CancellationToken.None;
    private readonly SimulatedWorld _world = new(SimulatedWorldTests.InstantOptions(), new FakeTimeProvider());

    [Fact]
    public async Task A_region_down_is_unreachable_everywhere_but_its_traffic_endpoint_can_still_be_switched()
    {
        _world.InjectRegionDown("east-us");

        var health = await new SimulatedHealthProbe(_world).ProbeAsync("east-us", Ct);
        Assert.True(health.Unreachable);
        Assert.False((await new SimulatedDatabase(_world).GetStatusAsync("east-us", Ct)).Reachable);
        Assert.False((await new SimulatedCache(_world).GetStatusAsync("east-us", Ct)).Reachable);
        Assert.False((await new SimulatedCluster(_world).GetCredentialsAsync("east-us", Ct)).Succeeded);
        Assert.True((await new SimulatedTraffic(_world).SetEndpointAsync("east-us", false, Ct)).Succeeded);
        Assert.True((await new SimulatedHealthProbe(_world).ProbeAsync("west-us", Ct)).Healthy);
    }

    [Fact]
    public async Task A_crashed_database_is_unreachable_and_cannot_be_promoted_while_the_region_runs()
    {
        _world.InjectDatabaseCrash("west-us");

        var status = await new SimulatedDatabase(_world).GetStatusAsync("west-us", Ct);
        var promote = await new SimulatedDatabase(_world).PromoteAsync("west-us", Ct);
        var health = await new SimulatedHealthProbe(_world).ProbeAsync("west-us", Ct);

        Assert.False(status.Reachable);
        Assert.False(promote.Succeeded);
        Assert.False(health.Healthy);
        Assert.False(health.Unreachable);
        Assert.False(health.Probes.Single(p => p.Service == SimulatedWorldLayout.DatabaseService).Healthy);
        Assert.Empty(_world.SideEffects);
    }

    [Fact]
    public async Task An_unhealthy_secondary_fails_its_probes_and_its_rollout()
    {
        _world.InjectUnhealthy("west-us");

        var health = await new SimulatedHealthProbe(_world).ProbeAsync("west-us", Ct);
        var rollout = await new SimulatedCluster(_world).WaitForRolloutAsync("west-us", "policycortex", TimeSpan.FromMinutes(5), Ct);

        Assert.False(health.Healthy);
        Assert.Contains(health.Probes, p => p.Detail.Contains("503", StringComparison.Ordinal));
        Assert.False(rollout.Succeeded);
    }

    [Fact]
    public async Task Replication_lag_shows_in_the_replica_status_and_becomes_the_data_loss_window_of_a_promotion()
    {
        _world.InjectReplicationLag("west-us", 90);
        var database = new SimulatedDatabase(_world);

        var status = await database.GetStatusAsync("west-us", Ct);
        await database.PromoteAsync("west-us", Ct);
        var report = await database.CheckConsistencyAsync("west-us", "", Ct);

        Assert.Equal(90, status.LagSeconds);
        Assert.True(status.LagBytes > 0);
        Assert.True(report.Consistent);
        Assert.Equal(TimeSpan.FromSeconds(90), report.DataLossWindow);
    }

    [Fact]
    public async Task Markers_replicate_to_reachable_replicas_and_data_inconsistency_fails_the_check()
    {
        var database = new SimulatedDatabase(_world);
        Assert.True((await database.WriteMarkerAsync("east-us", "drill-1", Ct)).Succeeded);
        Assert.True((await database.WriteMarkerAsync("east-us", "drill-1", Ct)).AlreadyDone);
        Assert.False((await database.WriteMarkerAsync("west-us", "drill-2", Ct)).Succeeded);

        Assert.True((await database.CheckConsistencyAsync("west-us", "drill-1", Ct)).Consistent);
        Assert.False((await database.CheckConsistencyAsync("west-us", "never-written", Ct)).Consistent);

        _world.InjectDataInconsistency("west-us");
        var report = await database.CheckConsistencyAsync("west-us", "drill-1", Ct);
        Assert.False(report.Consistent);
        Assert.Contains("checksums differ", report.Detail, StringComparison.Ordinal);
        Assert.Single(_world.SideEffects);
    }

    [Fact]
    public async Task Clearing_faults_brings_regions_back_without_undoing_what_runbooks_did()
    {
        _world.InjectRegionDown("east-us");
        _world.InjectServiceDown("west-us", "ai-engine");
        await new SimulatedDatabase(_world).PromoteAsync("west-us", Ct);

        _world.ClearFaults();

        Assert.True((await new SimulatedHealthProbe(_world).ProbeAsync("east-us", Ct)).Healthy);
        Assert.True((await new SimulatedHealthProbe(_world).ProbeAsync("west-us", Ct)).Healthy);
        Assert.False(_world.GetRegion("east-us").Database.IsPrimary);
        Assert.True(_world.GetRegion("west-us").Database.IsPrimary);
    }

    [Theory]
    [InlineData("meteor", "east-us", null, "valid: region-down")]
    [InlineData("region-down", "mars", null, "valid: east-us, west-us, north-europe")]
    [InlineData("replication-lag", "west-us", "lots", "number of seconds")]
    [InlineData("service-down", "west-us", "nope", "core-api")]
    public void A_bad_fault_request_says_what_is_valid_and_changes_nothing(string kind, string region, string? value, string expected)
    {
        var result = _world.ApplyFault(kind, region, value);

        Assert.False(result.Ok);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
        Assert.Empty(_world.FaultLog);
    }

    [Fact]
    public async Task Faults_applied_by_name_take_effect()
    {
        Assert.True(_world.ApplyFault("replication-lag", "west-us", "75s").Ok);
        Assert.True(_world.ApplyFault("Region-Down", "EAST-US").Ok);

        Assert.Equal(75, (await new SimulatedDatabase(_world).GetStatusAsync("west-us", Ct)).LagSeconds);
        Assert.True(_world.GetRegion("east-us").Down);
        Assert.Equal(2, _world.FaultLog.Count);
    }
}
