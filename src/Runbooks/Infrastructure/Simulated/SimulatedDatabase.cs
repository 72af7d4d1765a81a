namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>The regions' PostgreSQL servers in the simulated world: streaming replication with lag, promote, markers.</summary>
public sealed class SimulatedDatabase(SimulatedWorld world) : IDatabaseReplica
{
    /// <summary>Roughly what a busy primary writes per second of lag, for the lag-in-bytes figure.</summary>
    private const long BytesPerSecondOfLag = 256 * 1024;

    public async Task<DatabaseStatus> GetStatusAsync(string region, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(80), cancellationToken);
        return world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return new DatabaseStatus(region, false, false, null, null, SimulatedWorld.UnknownRegion(state, region));
            }
            var db = r.Database;
            if (r.Down || db.Crashed)
            {
                return new DatabaseStatus(r.Name, false, db.IsPrimary, null, null,
                    $"{db.Host}: connection refused ({(r.Down ? "region down" : "server crashed")})");
            }
            if (db.IsPrimary)
            {
                return new DatabaseStatus(r.Name, true, true, 0, 0, $"{db.Host}: primary, accepting writes");
            }
            var lagBytes = (long)(db.ReplicationLagSeconds * BytesPerSecondOfLag);
            return new DatabaseStatus(r.Name, true, false, db.ReplicationLagSeconds, lagBytes,
                $"{db.Host}: replica in recovery, replay lag {db.ReplicationLagSeconds:0.#} s");
        });
    }

    public Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromSeconds(2), state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return SimulatedChange.Failed(region, SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Down || r.Database.Crashed)
            {
                return SimulatedChange.Failed(r.Name, $"Cannot promote {r.Database.Host}: it is unreachable.", transient: !r.Down);
            }
            if (r.Database.IsPrimary)
            {
                return SimulatedChange.NoOp(r.Name, $"{r.Database.Host} is already the primary: nothing to promote.");
            }
            r.Database.LagAtPromotionSeconds = r.Database.ReplicationLagSeconds;
            r.Database.Role = SimulatedDatabaseNode.PrimaryRole;
            r.Database.ReplicationLagSeconds = 0;
            // Fencing: the former primary (reachable now or when it comes back) follows the new one.
            var demoted = new List<string>();
            foreach (var other in state.Regions.Values.Where(o => o != r && o.Database.IsPrimary))
            {
                other.Database.Role = SimulatedDatabaseNode.ReplicaRole;
                demoted.Add(other.Name);
            }
            var former = demoted.Count == 0 ? "" : $"; {string.Join(", ", demoted)} fenced and now replicating from it";
            return SimulatedChange.Changed(r.Name, SideEffectKinds.DatabasePromote,
                $"Promoted {r.Database.Host} to primary (lag at promotion {r.Database.LagAtPromotionSeconds:0.#} s){former}.");
        }, cancellationToken);

    public Task<InfraActionResult> WriteMarkerAsync(string region, string marker, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromMilliseconds(100), state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return SimulatedChange.Failed(region, SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Down || r.Database.Crashed)
            {
                return SimulatedChange.Failed(r.Name, $"Cannot write marker to {r.Database.Host}: it is unreachable.", transient: true);
            }
            if (!r.Database.IsPrimary)
            {
                return SimulatedChange.Failed(r.Name, $"Cannot write marker to {r.Database.Host}: it is a read-only replica.");
            }
            if (r.Database.Markers.Contains(marker))
            {
                return SimulatedChange.NoOp(r.Name, $"Marker '{marker}' is already on {r.Database.Host}.");
            }
            r.Database.Markers.Add(marker);
            // Streaming replication carries the marker to every reachable replica.
            foreach (var replica in state.Regions.Values.Where(o => o != r && !o.Down && !o.Database.Crashed))
            {
                replica.Database.Markers.Add(marker);
            }
            return SimulatedChange.Changed(r.Name, SideEffectKinds.DatabaseMarker, $"Wrote marker '{marker}' on {r.Database.Host}.");
        }, cancellationToken);

    public async Task<ConsistencyReport> CheckConsistencyAsync(string newPrimaryRegion, string marker, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(500), cancellationToken);
        return world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, newPrimaryRegion);
            if (r is null)
            {
                return new ConsistencyReport(false, SimulatedWorld.UnknownRegion(state, newPrimaryRegion));
            }
            var db = r.Database;
            TimeSpan? window = db.LagAtPromotionSeconds is { } lag ? TimeSpan.FromSeconds(lag) : null;
            if (r.Down || db.Crashed)
            {
                return new ConsistencyReport(false, $"{db.Host} is unreachable: consistency cannot be checked.", window);
            }
            if (db.Inconsistent)
            {
                return new ConsistencyReport(false, $"{db.Host}: table checksums differ from the last known primary state.", window);
            }
            if (!string.IsNullOrEmpty(marker) && !db.Markers.Contains(marker))
            {
                return new ConsistencyReport(false, $"{db.Host}: marker '{marker}' is missing.", window);
            }
            return new ConsistencyReport(true, $"{db.Host}: markers present, checksums equal.", window);
        });
    }
}
