namespace DrBot.Runbooks.Infrastructure;

/// <summary>Result of an infrastructure action. <see cref="AlreadyDone"/>: verified before acting, nothing to do.</summary>
public sealed record InfraActionResult(bool Succeeded, bool AlreadyDone, bool Transient, string Detail)
{
    public static InfraActionResult Done(string detail) => new(true, false, false, detail);
    public static InfraActionResult NoOp(string detail) => new(true, true, false, detail);
    public static InfraActionResult Failed(string detail, bool transient = false) => new(false, false, transient, detail);
}

public sealed record DatabaseStatus(
    string Region,
    bool Reachable,
    bool IsPrimary,
    double? LagSeconds,
    long? LagBytes,
    string Detail);

public sealed record ConsistencyReport(bool Consistent, string Detail, TimeSpan? DataLossWindow = null);

/// <summary>A region's PostgreSQL (self-hosted through Npgsql, or Azure-managed through ARM).</summary>
public interface IDatabaseReplica
{
    Task<DatabaseStatus> GetStatusAsync(string region, CancellationToken cancellationToken);
    /// <summary>Promotes the region's replica to primary, verifying first (already primary = no-op) and after (accepts writes).</summary>
    Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken);
    /// <summary>Writes a marker on the current primary that a later consistency check reads back.</summary>
    Task<InfraActionResult> WriteMarkerAsync(string region, string marker, CancellationToken cancellationToken);
    /// <summary>Post-failover: is the data on <paramref name="newPrimaryRegion"/> consistent (markers present, checksums equal)?</summary>
    Task<ConsistencyReport> CheckConsistencyAsync(string newPrimaryRegion, string marker, CancellationToken cancellationToken);
}

public sealed record CacheStatus(string Region, bool Reachable, bool IsMaster, long? LagBytes, string Detail);

/// <summary>A region's Redis/DragonflyDB.</summary>
public interface ICacheReplica
{
    Task<CacheStatus> GetStatusAsync(string region, CancellationToken cancellationToken);
    /// <summary><c>REPLICAOF NO ONE</c>, verified before and after.</summary>
    Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken);
    /// <summary>
    /// <c>REPLICAOF &lt;master of masterRegion&gt;</c>: the region's cache follows that one (fences an old
    /// master, or puts a promoted one back). Verified after; a region that does not answer fails transient.
    /// </summary>
    Task<InfraActionResult> FollowAsync(string region, string masterRegion, CancellationToken cancellationToken);
}

public sealed record DeploymentStatus(string Name, int DesiredReplicas, int ReadyReplicas);

/// <summary>A region's Kubernetes cluster (AKS in the strategy).</summary>
public interface IClusterManager
{
    Task<InfraActionResult> GetCredentialsAsync(string region, CancellationToken cancellationToken);
    Task<IReadOnlyList<DeploymentStatus>> GetDeploymentsAsync(string region, string @namespace, CancellationToken cancellationToken);
    /// <summary>Scales every deployment of the namespace (or only <paramref name="deployments"/>) to <paramref name="replicas"/>.</summary>
    Task<InfraActionResult> ScaleAsync(string region, string @namespace, int replicas, IReadOnlyList<string>? deployments, CancellationToken cancellationToken);
    Task<InfraActionResult> SetEnvironmentAsync(string region, string @namespace, string deployment, string name, string value, CancellationToken cancellationToken);
    Task<string?> GetEnvironmentAsync(string region, string @namespace, string deployment, string name, CancellationToken cancellationToken);
    Task<InfraActionResult> WaitForRolloutAsync(string region, string @namespace, TimeSpan timeout, CancellationToken cancellationToken);
}

public sealed record TrafficEndpoint(string Region, bool Enabled, int Weight);

/// <summary>Global traffic routing (Azure Traffic Manager in the strategy).</summary>
public interface ITrafficRouter
{
    Task<IReadOnlyList<TrafficEndpoint>> GetEndpointsAsync(CancellationToken cancellationToken);
    Task<InfraActionResult> SetEndpointAsync(string region, bool enabled, CancellationToken cancellationToken);
}

public sealed record ServiceProbe(string Service, string Target, bool Healthy, TimeSpan Latency, string Detail);

public sealed record RegionHealth(string Region, DateTimeOffset At, IReadOnlyList<ServiceProbe> Probes)
{
    public bool Healthy => Probes.Count > 0 && Probes.All(p => p.Healthy);
    public bool Unreachable => Probes.Count > 0 && Probes.All(p => !p.Healthy);
    public double ErrorRate => Probes.Count == 0 ? 0 : Probes.Count(p => !p.Healthy) / (double)Probes.Count;
    public TimeSpan MaxLatency => Probes.Count == 0 ? TimeSpan.Zero : Probes.Max(p => p.Latency);
}

/// <summary>Health endpoints of a region's services.</summary>
public interface IHealthProbe
{
    Task<RegionHealth> ProbeAsync(string region, CancellationToken cancellationToken);
}

/// <summary>
/// Notify and status-page steps post through this port; the bot implements it with its channels,
/// the tests with a recorder. Keeps chat out of src/Runbooks.
/// </summary>
public interface IRunbookNotifier
{
    Task NotifyAsync(string runId, string? incidentId, string audience, string text, CancellationToken cancellationToken);
}
