namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>
/// One real state change the simulated world applied (a promote, a scale, an endpoint switch…).
/// A verify-before-act no-op records none, so tests count these to prove "exactly once".
/// </summary>
public sealed record SimulatedSideEffect(long Sequence, DateTimeOffset At, string Region, string Kind, string Detail);

public static class SideEffectKinds
{
    public const string DatabasePromote = "database.promote";
    public const string DatabaseMarker = "database.marker";
    public const string CachePromote = "cache.promote";
    public const string ClusterScale = "cluster.scale";
    public const string ClusterSetEnvironment = "cluster.set-env";
    public const string TrafficEndpoint = "traffic.endpoint";
}

/// <summary>Everything the simulated world holds; saved as JSON so a drill survives a bot restart.</summary>
public sealed class SimulatedWorldState
{
    public Dictionary<string, SimulatedRegion> Regions { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public List<SimulatedSideEffect> SideEffects { get; set; } = [];
    /// <summary>Faults injected and cleared, for the drill report (not side effects).</summary>
    public List<string> FaultLog { get; set; } = [];
}

public sealed class SimulatedRegion
{
    public string Name { get; set; } = "";
    /// <summary>primary, secondary or backup, as configured.</summary>
    public string Role { get; set; } = "";
    /// <summary>Fault: the whole region is unreachable.</summary>
    public bool Down { get; set; }
    /// <summary>Fault: the region's services answer 503 (the rollback trigger <c>secondary_unhealthy</c>).</summary>
    public bool Unhealthy { get; set; }
    public SimulatedDatabaseNode Database { get; set; } = new();
    public SimulatedCacheNode Cache { get; set; } = new();
    public SimulatedClusterState Cluster { get; set; } = new();
    /// <summary>Null for a data-only region: it has no traffic endpoint.</summary>
    public SimulatedEndpoint? Traffic { get; set; }
    /// <summary>Health endpoints by service name.</summary>
    public Dictionary<string, SimulatedServiceHealth> Health { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class SimulatedDatabaseNode
{
    public const string PrimaryRole = "primary";
    public const string ReplicaRole = "replica";

    public string Role { get; set; } = ReplicaRole;
    /// <summary>Host name, as it appears in DATABASE_URL.</summary>
    public string Host { get; set; } = "";
    /// <summary>Fault: the PostgreSQL server is down.</summary>
    public bool Crashed { get; set; }
    public double ReplicationLagSeconds { get; set; }
    /// <summary>Fault: the data differs from the primary's (checksums disagree).</summary>
    public bool Inconsistent { get; set; }
    /// <summary>Replication lag when this database was promoted: the measured data-loss window.</summary>
    public double? LagAtPromotionSeconds { get; set; }
    public List<string> Markers { get; set; } = [];

    public bool IsPrimary => Role == PrimaryRole;
}

public sealed class SimulatedCacheNode
{
    public const string MasterRole = "master";
    public const string ReplicaRole = "replica";

    public string Role { get; set; } = ReplicaRole;
    public long LagBytes { get; set; }

    public bool IsMaster => Role == MasterRole;
}

public sealed class SimulatedClusterState
{
    public string Name { get; set; } = "";
    public string Namespace { get; set; } = "policycortex";
    public Dictionary<string, SimulatedDeployment> Deployments { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class SimulatedDeployment
{
    public int Replicas { get; set; }
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);
}

public sealed class SimulatedEndpoint
{
    public bool Enabled { get; set; }
    public int Weight { get; set; }
}

public sealed class SimulatedServiceHealth
{
    /// <summary>Fault: this one service is down.</summary>
    public bool Up { get; set; } = true;
    public double LatencyMs { get; set; }
}
