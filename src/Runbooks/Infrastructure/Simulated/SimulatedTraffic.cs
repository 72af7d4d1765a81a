namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>Global traffic routing in the simulated world (Traffic Manager, priority routing): one endpoint per application region.</summary>
public sealed class SimulatedTraffic(SimulatedWorld world) : ITrafficRouter
{
    public async Task<IReadOnlyList<TrafficEndpoint>> GetEndpointsAsync(CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(150), cancellationToken);
        return world.Read<IReadOnlyList<TrafficEndpoint>>(state => state.Regions.Values
            .Where(r => r.Traffic is not null)
            .Select(r => new TrafficEndpoint(r.Name, r.Traffic!.Enabled, r.Traffic.Weight))
            .ToList());
    }

    /// <summary>Traffic Manager is global: endpoints can be switched even while the region itself is down.</summary>
    public Task<InfraActionResult> SetEndpointAsync(string region, bool enabled, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromSeconds(1), state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return SimulatedChange.Failed(region, SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Traffic is null)
            {
                return SimulatedChange.Failed(r.Name, $"{r.Name} has no traffic endpoint ({r.Role} region: data only).");
            }
            var word = enabled ? "enabled" : "disabled";
            if (r.Traffic.Enabled == enabled)
            {
                return SimulatedChange.NoOp(r.Name, $"The traffic endpoint of {r.Name} is already {word}.");
            }
            r.Traffic.Enabled = enabled;
            r.Traffic.Weight = enabled ? 100 : 0;
            return SimulatedChange.Changed(r.Name, SideEffectKinds.TrafficEndpoint, $"Traffic endpoint of {r.Name} {word} (weight {r.Traffic.Weight}).");
        }, cancellationToken);
}
