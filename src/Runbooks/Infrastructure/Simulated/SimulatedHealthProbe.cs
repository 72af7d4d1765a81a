namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>Health endpoints of the simulated regions: a service answers when its region, its pods and its own endpoint are up.</summary>
public sealed class SimulatedHealthProbe(SimulatedWorld world) : IHealthProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<RegionHealth> ProbeAsync(string region, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(200), cancellationToken);
        var at = world.Now;
        return world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return new RegionHealth(region, at, [new ServiceProbe("region", region, false, TimeSpan.Zero, SimulatedWorld.UnknownRegion(state, region))]);
            }
            var probes = r.Health.Select(service => Probe(r, service.Key, service.Value)).ToList();
            return new RegionHealth(r.Name, at, probes);
        });
    }

    private static ServiceProbe Probe(SimulatedRegion region, string service, SimulatedServiceHealth health)
    {
        var target = $"https://{service}.{region.Name}.policycortex.internal/health";
        var latency = TimeSpan.FromMilliseconds(health.LatencyMs);
        if (region.Down)
        {
            return new ServiceProbe(service, target, false, Timeout, $"timed out after {Timeout.TotalSeconds:0} s (region down)");
        }
        if (service == SimulatedWorldLayout.DatabaseService)
        {
            return region.Database.Crashed
                ? new ServiceProbe(service, target, false, latency, "connection refused (database crashed)")
                : new ServiceProbe(service, target, true, latency, region.Database.IsPrimary ? "primary, accepting writes" : "replica, streaming");
        }
        if (region.Unhealthy || !health.Up)
        {
            return new ServiceProbe(service, target, false, latency, "503 Service Unavailable");
        }
        if (region.Cluster.Deployments.TryGetValue(service, out var deployment) && deployment.Replicas == 0)
        {
            return new ServiceProbe(service, target, false, latency, "503 Service Unavailable (no ready pods)");
        }
        return new ServiceProbe(service, target, true, latency, "200 OK");
    }
}
