namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>The simulated world's pre-flight reads: its clusters set no quota; a reachable primary archives its WAL.</summary>
public sealed class SimulatedStandbyReadiness(SimulatedWorld world) : IStandbyReadiness
{
    public Task<ScaleCapacity> GetScaleCapacityAsync(string region, string @namespace, int extraPods, CancellationToken cancellationToken) =>
        Task.FromResult(new ScaleCapacity(null, $"the simulated cluster of {region} sets no quota"));

    public Task<WalArchiving> GetWalArchivingAsync(string region, CancellationToken cancellationToken) =>
        Task.FromResult(world.Read(state => SimulatedWorld.TryFind(state, region) switch
        {
            null => new WalArchiving(null, SimulatedWorld.UnknownRegion(state, region)),
            { Down: true } r => new WalArchiving(null, $"{r.Name} is down: its archiving cannot be read"),
            var r => new WalArchiving(true, $"{r.Name} archives its WAL (simulated)"),
        }));
}
