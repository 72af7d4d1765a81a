using System.ComponentModel.DataAnnotations;

namespace DrBot.Runbooks.Policy;

/// <summary>
/// Everything under the <c>DrBot</c> configuration section. Defaults are the strategy's
/// (DR-STRATEGY.md) so the bot runs with an empty configuration; <see cref="DrBotOptionsValidator"/>
/// refuses a bad configuration at start with the offending key named.
/// </summary>
public sealed class DrBotOptions
{
    public const string Section = "DrBot";

    /// <summary>The incident channel's display name.</summary>
    public string Channel { get; set; } = "#incident-response";

    /// <summary>P1..P4 by name. Filled with the strategy's matrix when empty.</summary>
    public Dictionary<string, SeverityOptions> Severities { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Service tiers by name (critical, important, non-critical).</summary>
    public Dictionary<string, TierOptions> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Regions by name (east-us, west-us, north-europe).</summary>
    public Dictionary<string, RegionOptions> Regions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The roster, by person name.</summary>
    public Dictionary<string, PersonOptions> People { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public StoreOptions Store { get; set; } = new();
    public InfrastructureOptions Infrastructure { get; set; } = new();
    public StatusUpdateOptions StatusUpdates { get; set; } = new();
    public ApprovalOptions Approvals { get; set; } = new();

    /// <summary>Runbook definitions added or overridden by operators, by runbook name.</summary>
    public Dictionary<string, RunbookDefinitionOptions> Runbooks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The first configured region playing <paramref name="role"/> (case-insensitive), other than <paramref name="except"/>; null when none.</summary>
    public string? RegionWithRole(string role, string? except = null) =>
        Regions.FirstOrDefault(r => HasRole(r.Value, role) && !string.Equals(r.Key, except, StringComparison.OrdinalIgnoreCase)).Key;

    /// <summary>Whether <paramref name="region"/> is configured with <paramref name="role"/> (case-insensitive).</summary>
    public bool RegionHasRole(string region, string role) =>
        Regions.TryGetValue(region, out var options) && HasRole(options, role);

    /// <summary>The configured name of <paramref name="region"/> (case-insensitive, trimmed); null when it is not configured.</summary>
    public string? FindRegion(string? region) =>
        Regions.Keys.FirstOrDefault(r => string.Equals(r, region?.Trim(), StringComparison.OrdinalIgnoreCase));

    private static bool HasRole(RegionOptions region, string role) =>
        string.Equals(region.Role, role, StringComparison.OrdinalIgnoreCase);

    public AuditOptions Audit { get; set; } = new();
}

public sealed class SeverityOptions
{
    /// <summary>How long the team has to acknowledge before escalation (P1 15 min).</summary>
    public TimeSpan? ResponseTime { get; set; }
    /// <summary>Roles notified when an incident of this severity opens.</summary>
    public List<string> Team { get; set; } = [];
    /// <summary>Role escalated to, or none.</summary>
    public string? EscalationTarget { get; set; }
    /// <summary>When the escalation target is paged, counted from the incident's opening.</summary>
    public TimeSpan? EscalationDelay { get; set; }
    public bool WarRoom { get; set; }
    public string Label { get; set; } = "";
}

public sealed class TierOptions
{
    public TimeSpan Rto { get; set; }
    public TimeSpan Rpo { get; set; }
    public List<string> Services { get; set; } = [];
}

public sealed class RegionOptions
{
    /// <summary><c>primary</c>, <c>secondary</c> or <c>backup</c>.</summary>
    public string Role { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public DatabaseEndpointOptions Database { get; set; } = new();
    public CacheEndpointOptions Cache { get; set; } = new();
    public HealthOptions Health { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();
    public TrafficOptions Traffic { get; set; } = new();
}

public sealed class DatabaseEndpointOptions
{
    public string? ConnectionString { get; set; }
    /// <summary>Azure Database for PostgreSQL server resource id, when the database is Azure-managed.</summary>
    public string? AzureResourceId { get; set; }
    /// <summary>
    /// The URL the application is given when this region's database becomes its primary (written into the
    /// deployment's variable by the failover, then verified by connecting to it).
    /// </summary>
    public string? ApplicationUrl { get; set; }
}

public sealed class CacheEndpointOptions
{
    /// <summary>Redis/Dragonfly <c>host:port</c>.</summary>
    public string? Endpoint { get; set; }
}

public sealed class HealthOptions
{
    public List<string> Urls { get; set; } = [];
}

public sealed class ClusterOptions
{
    public string? KubeConfigPath { get; set; }
    public string? Context { get; set; }
    /// <summary>The application's namespace. No default: a live cluster is named by its configuration.</summary>
    public string? Namespace { get; set; }
    /// <summary>The deployment whose database variable a failover repoints (<c>core-api</c> when unset).</summary>
    public string? ApplicationDeployment { get; set; }
    /// <summary>The variable holding the database URL (<c>DATABASE_URL</c> when unset).</summary>
    public string? DatabaseUrlVariable { get; set; }
    /// <summary>Azure resource id of the AKS cluster, to fetch user credentials through ARM.</summary>
    public string? AzureResourceId { get; set; }
}

public sealed class TrafficOptions
{
    /// <summary>Azure resource id of this region's Traffic Manager endpoint.</summary>
    public string? EndpointResourceId { get; set; }
}

public sealed class PersonOptions
{
    public List<string> Roles { get; set; } = [];
    public string? Slack { get; set; }
    public string? Teams { get; set; }
    public string? DisplayName { get; set; }
}

public sealed class StoreOptions
{
    /// <summary><c>LiteDb</c> (default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = "LiteDb";
    public LiteDbStoreOptions LiteDb { get; set; } = new();
    public PostgresStoreOptions Postgres { get; set; } = new();
}

public sealed class LiteDbStoreOptions
{
    public string Path { get; set; } = "data/drbot.db";
}

public sealed class PostgresStoreOptions
{
    public string? ConnectionString { get; set; }
}

public sealed class InfrastructureOptions
{
    /// <summary><c>Simulated</c> (default) or <c>Live</c>.</summary>
    public string Mode { get; set; } = "Simulated";
    /// <summary>Where the simulated world keeps its state, so a drill survives a bot restart.</summary>
    public string SimulatedStatePath { get; set; } = "data/simulated-world.json";
    /// <summary>Scale factor for the simulated delays (0 = instant, 1 = realistic small delays).</summary>
    public double SimulatedDelayFactor { get; set; } = 1.0;
}

public sealed class StatusUpdateOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class ApprovalOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// <c>DrBot:Approvals:Required:&lt;runbook&gt;:&lt;gate&gt;</c>: how many different approvers a gate needs, overriding its
    /// definition (region-failover's approve-failover needs 2 by default).
    /// </summary>
    public Dictionary<string, Dictionary<string, int>> Required { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A runbook written in configuration. Same shape as the built-in definitions.</summary>
public sealed class RunbookDefinitionOptions
{
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public List<StepDefinitionOptions> Steps { get; set; } = [];
}

public sealed class StepDefinitionOptions
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>check, action, gate, notify, manual, runbook.</summary>
    public string Kind { get; set; } = "";
    public string? Executor { get; set; }
    public Dictionary<string, string> Args { get; set; } = [];
    /// <summary>abort (default), rollback, or gate.</summary>
    public string? OnFailure { get; set; }
    public string? Compensation { get; set; }
    public Dictionary<string, string> CompensationArgs { get; set; } = [];
    /// <summary>Gates: the role that may decide.</summary>
    public string? Role { get; set; }
    /// <summary>Gates: applies only when this condition over the run's facts holds, e.g. <c>replication_lag_seconds &gt; 60</c>.</summary>
    public string? Condition { get; set; }
    /// <summary>Gates: let the person who started the run decide too (off by default: four-eyes).</summary>
    public bool AllowSelfApproval { get; set; }
    /// <summary>Gates: how many different people with the role must approve (N of M; default 1).</summary>
    public int Approvals { get; set; } = 1;
    /// <summary>Gates: an approval counts only with the target region's name typed (accept data loss and the like).</summary>
    public bool Destructive { get; set; }
    /// <summary>Checks run side by side inside this step.</summary>
    public List<StepDefinitionOptions> Parallel { get; set; } = [];
    /// <summary>Manual steps: what the person must do, shown on the card above the Done button.</summary>
    public string? Instructions { get; set; }
    /// <summary>Gates and manual steps: how long they wait (default <c>DrBot:Approvals:Expiry</c>).</summary>
    public TimeSpan? Expiry { get; set; }
    /// <summary>Kind runbook: the name of the runbook this step runs as a child run (one level deep).</summary>
    public string? Runbook { get; set; }
}

/// <summary><c>DrBot:Audit</c>: the key of the audit chain and its checkpoints.</summary>
public sealed class AuditOptions
{
    /// <summary>HMAC secret (at least 32 characters). Empty: the chain is plain SHA-256, which proves order but not who wrote it.</summary>
    public string Key { get; set; } = "";

    /// <summary>A signed checkpoint (count, head hash, time) is written every this many entries, and at shutdown.</summary>
    public int CheckpointEvery { get; set; } = 100;

    /// <summary>The checkpoint file (JSON lines), a second place apart from the store; empty: beside the LiteDB file.</summary>
    public string CheckpointPath { get; set; } = "";

    /// <summary>The key's bytes, or null when none is configured.</summary>
    public byte[]? KeyBytes()
    {
        if (string.IsNullOrEmpty(Key))
            return null;
        if (Key.Length < 32)
            throw new InvalidOperationException("DrBot:Audit:Key must be at least 32 characters (a random secret, e.g. 32 bytes as base64).");
        return System.Text.Encoding.UTF8.GetBytes(Key);
    }
}
