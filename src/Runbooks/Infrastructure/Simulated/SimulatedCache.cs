namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>The regions' Dragonfly/Redis nodes in the simulated world: one master, replicas following it.</summary>
public sealed class SimulatedCache(SimulatedWorld world) : ICacheReplica
{
    public async Task<CacheStatus> GetStatusAsync(string region, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(30), cancellationToken);
        return world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return new CacheStatus(region, false, false, null, SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Down)
            {
                return new CacheStatus(r.Name, false, r.Cache.IsMaster, null, "connection timed out (region down)");
            }
            return r.Cache.IsMaster
                ? new CacheStatus(r.Name, true, true, 0, "role:master")
                : new CacheStatus(r.Name, true, false, r.Cache.LagBytes, $"role:slave, {r.Cache.LagBytes} bytes behind");
        });
    }

    public Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromMilliseconds(300), state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return SimulatedChange.Failed(region, SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Down)
            {
                return SimulatedChange.Failed(r.Name, $"Cannot promote the cache in {r.Name}: region unreachable.");
            }
            if (r.Cache.IsMaster)
            {
                return SimulatedChange.NoOp(r.Name, $"The cache in {r.Name} is already master.");
            }
            r.Cache.Role = SimulatedCacheNode.MasterRole;
            r.Cache.LagBytes = 0;
            foreach (var other in state.Regions.Values.Where(o => o != r && o.Cache.IsMaster))
            {
                other.Cache.Role = SimulatedCacheNode.ReplicaRole;
            }
            return SimulatedChange.Changed(r.Name, SideEffectKinds.CachePromote, $"REPLICAOF NO ONE on the cache in {r.Name}: now master.");
        }, cancellationToken);

    public Task<InfraActionResult> FollowAsync(string region, string masterRegion, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromMilliseconds(100), state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return SimulatedChange.Failed(region, SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Down)
            {
                return SimulatedChange.Failed(r.Name, $"The cache in {r.Name} is unreachable.", transient: true);
            }
            if (!r.Cache.IsMaster)
            {
                return SimulatedChange.NoOp(r.Name, $"The cache in {r.Name} already follows a master.");
            }
            r.Cache.Role = SimulatedCacheNode.ReplicaRole;
            return SimulatedChange.Changed(r.Name, SideEffectKinds.CachePromote, $"REPLICAOF the {masterRegion} cache on {r.Name}: now a replica.");
        }, cancellationToken);
}
