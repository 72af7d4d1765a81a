using System.ComponentModel.DataAnnotations;

namespace DrBot.Bot.Alerts.Rules;

/// <summary>
/// <c>DrBot:Alerts:Rules</c>. Defaults are the strategy's alert configuration. Alert names are
/// matched ignoring case and punctuation (<c>ReplicationLag</c> = <c>replication_lag</c>); an
/// empty name list means the defaults listed on each property.
/// </summary>
public sealed class AlertRulesOptions
{
    public const string Section = "DrBot:Alerts:Rules";

    public ReplicationLagRuleOptions ReplicationLag { get; set; } = new();
    public BackupFailureRuleOptions BackupFailure { get; set; } = new();
    public BackupLateRuleOptions BackupLate { get; set; } = new();
    public RegionDownRuleOptions RegionDown { get; set; } = new();
}

/// <summary>Value = replication lag in seconds. Over critical: page on-call; over warning: notify the team.</summary>
public sealed class ReplicationLagRuleOptions
{
    /// <summary>Default: ReplicationLag, HighReplicationLag, PostgresReplicationLag.</summary>
    public List<string> Names { get; set; } = [];
    [Range(0, 86_400)]
    public double WarningSeconds { get; set; } = 10;
    [Range(0, 86_400)]
    public double CriticalSeconds { get; set; } = 30;
    public string CriticalSeverity { get; set; } = "P2";
    public string WarningSeverity { get; set; } = "P3";
}

/// <summary>
/// Consecutive failures come from a <c>consecutive_failures</c> label, or are counted across
/// deliveries per backup job (<c>job</c> / <c>backup_job</c> label, else region); a resolved
/// failure alert or a success alert resets the count.
/// </summary>
public sealed class BackupFailureRuleOptions
{
    /// <summary>Default: BackupFailed, BackupFailure.</summary>
    public List<string> Names { get; set; } = [];
    /// <summary>Default: BackupSucceeded, BackupSuccess, BackupCompleted.</summary>
    public List<string> SuccessNames { get; set; } = [];
    [Range(1, 1000)]
    public int ConsecutiveFailures { get; set; } = 2;
    public string Severity { get; set; } = "P2";
}

/// <summary>Value = how late the backup is, in seconds (or a <c>delay_seconds</c> label).</summary>
public sealed class BackupLateRuleOptions
{
    /// <summary>Default: BackupLate, BackupDelay, BackupDelayed.</summary>
    public List<string> Names { get; set; } = [];
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromHours(1);
    public string Severity { get; set; } = "P3";
}

/// <summary>Region health checks failed: open an incident and propose the region failover runbook.</summary>
public sealed class RegionDownRuleOptions
{
    /// <summary>Default: RegionDown, RegionUnavailable, HealthCheckFailed.</summary>
    public List<string> Names { get; set; } = [];
    public string Severity { get; set; } = "P1";
    /// <summary>The runbook proposed on the incident card (Start button; its approval gates still apply).</summary>
    public string Runbook { get; set; } = "region-failover";
}
