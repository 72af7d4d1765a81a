namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>
/// Fencing, heartbeats and the application URL check in the simulated world. The simulated database
/// already demotes the former primary when another is promoted; here a reachable region fences at
/// once, a region that is down is unreachable, and no heartbeat is kept (the RPO falls back to the lag).
/// </summary>
public sealed class SimulatedFailoverSupport(SimulatedWorld world) : IDatabaseFence, IDatabaseHeartbeat
{
    public Task<FenceResult> FenceAsync(string region, CancellationToken cancellationToken) =>
        Task.FromResult(world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null) return new FenceResult(FenceState.Failed, SimulatedWorld.UnknownRegion(state, region));
            if (r.Down || r.Database.Crashed) return new FenceResult(FenceState.Unreachable, $"{r.Database.Host}: connection refused");
            return r.Database.IsPrimary
                ? new FenceResult(FenceState.Fenced, $"{r.Database.Host} fenced: read-only, sessions ended (simulated)")
                : new FenceResult(FenceState.AlreadyFenced, $"{r.Database.Host} is a replica: it accepts no writes");
        }));

    public Task<InfraActionResult> UnfenceAsync(string region, CancellationToken cancellationToken) =>
        Task.FromResult(InfraActionResult.Done($"{region} database accepts writes again (simulated)"));

    public Task<string> FlushedLsnAsync(string region, CancellationToken cancellationToken) => Task.FromResult("0/0");

    public Task<(bool Replayed, string ReplayLsn)> HasReplayedAsync(string region, string lsn, CancellationToken cancellationToken) =>
        Task.FromResult((true, lsn));

    public Task<Heartbeat?> WriteAsync(string region, CancellationToken cancellationToken) => Task.FromResult<Heartbeat?>(null);

    public Task<ReplicaPosition> ReadPositionAsync(string region, CancellationToken cancellationToken) =>
        Task.FromResult(new ReplicaPosition(null, null, null));

    public Task<InfraActionResult> VerifyApplicationUrlAsync(string region, string url, CancellationToken cancellationToken) =>
        Task.FromResult(world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            return r is null || r.Down || !r.Database.IsPrimary
                ? InfraActionResult.Failed($"{url} does not reach a writable primary in {region}")
                : InfraActionResult.Done($"{r.Database.Host} answers as a writable primary");
        }));

    public Task<ConsistencyReport> CheckAfterPromotionAsync(string region, long? heartbeatAtPromotion, string? switchoverLsn, CancellationToken cancellationToken) =>
        new SimulatedDatabase(world).CheckConsistencyAsync(region, "", cancellationToken);
}
