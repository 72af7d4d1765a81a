namespace DrBot.Runbooks.Drills;

public enum ExerciseStatus { Running, Passed, Failed, Aborted }

/// <summary>One validation criterion of the strategy, checked: what was measured against what is required.</summary>
public sealed record CriterionResult(string Name, bool Passed, string Measured, string Target);

/// <summary>
/// A recorded exercise: a chaos drill (region-failure, database-failure, network-partition,
/// cascading-failure) or a validation runbook (backup-restore, data-consistency). Kept in the
/// store as evidence (KPIs, compliance report); nothing in it is ever deleted.
/// </summary>
public sealed class ExerciseRecord
{
    public string Id { get; set; } = "";
    /// <summary>The scenario or validation name (<see cref="ExerciseKinds"/>).</summary>
    public string Kind { get; set; } = "";
    public string? Region { get; set; }
    /// <summary>simulated or live.</summary>
    public string Mode { get; set; } = "simulated";
    public string StartedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public ExerciseStatus Status { get; set; }
    /// <summary>The tier whose RTO/RPO the exercise is measured against.</summary>
    public string Tier { get; set; } = "critical";
    public TimeSpan? MeasuredRto { get; set; }
    public TimeSpan? MeasuredRpo { get; set; }
    public string? IncidentId { get; set; }
    public List<CriterionResult> Criteria { get; set; } = [];
    /// <summary>What happened, in order (faults injected, observations, cleanup).</summary>
    public List<string> Notes { get; set; } = [];
    /// <summary>Scenario state between start and evaluation (injection times, sequence of services).</summary>
    public Dictionary<string, string> Facts { get; set; } = new(StringComparer.Ordinal);

    public bool IsFinished => Status != ExerciseStatus.Running;
}

public static class ExerciseKinds
{
    public const string RegionFailure = "region-failure";
    public const string DatabaseFailure = "database-failure";
    public const string NetworkPartition = "network-partition";
    public const string CascadingFailure = "cascading-failure";
    public const string BackupRestore = "backup-restore";
    public const string DataConsistency = "data-consistency";

    public static readonly IReadOnlyList<string> ChaosScenarios = [RegionFailure, DatabaseFailure, NetworkPartition, CascadingFailure];
    public static readonly IReadOnlyList<string> Validations = [BackupRestore, DataConsistency];
    public static readonly IReadOnlyList<string> All = [.. ChaosScenarios, .. Validations];
}
