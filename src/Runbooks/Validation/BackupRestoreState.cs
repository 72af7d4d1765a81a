using System.Globalization;
using System.Text.Json;
using DrBot.Runbooks.Drills;

namespace DrBot.Runbooks.Validation;

/// <summary>
/// What one backup-restore has made so far (scratch folder, replication slot, LSNs, source
/// checksums, scratch port), kept in the run's facts between the runbook's steps so a later step,
/// the compensation, or another replica taking the run over finds it.
/// </summary>
public sealed record BackupRestoreState
{
    public const string CriteriaPrefix = "criteria:";

    public string ScratchDirectory { get; init; } = "";
    /// <summary>The physical replication slot that keeps the primary's WAL from before the backup until the restore has it (none for a configured backup).</summary>
    public string? Slot { get; init; }
    public DateTimeOffset? BackupStartedAt { get; init; }
    /// <summary>The backup's start and end (<c>backup_manifest</c> WAL-Ranges).</summary>
    public string? BackupStartLsn { get; init; }
    public string? BackupStopLsn { get; init; }
    /// <summary>The LSN the restore stops at and the source was checksummed at (the replica paused there).</summary>
    public string? CompareLsn { get; init; }
    /// <summary><c>rows:md5</c> per table, read on the source at <see cref="CompareLsn"/>.</summary>
    public Dictionary<string, string> SourceChecksums { get; init; } = new(StringComparer.Ordinal);
    public int? ScratchPort { get; init; }
    public double? RestoreSeconds { get; init; }
    public bool FromConfiguredBackup { get; init; }

    public string DataDirectory => Path.Combine(ScratchDirectory, "data");
    public string WalDirectory => Path.Combine(ScratchDirectory, "wal");
    public string LogFile => Path.Combine(ScratchDirectory, "server.log");

    public const string FactKey = "backup_restore_state";

    public static BackupRestoreState? From(IReadOnlyDictionary<string, string> facts) =>
        facts.TryGetValue(FactKey, out var json) && json.Length > 0 ? JsonSerializer.Deserialize<BackupRestoreState>(json) : null;

    public Dictionary<string, string> ToFacts(params (string Key, string Value)[] more)
    {
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [FactKey] = JsonSerializer.Serialize(this) };
        foreach (var (key, value) in more)
            facts[key] = value;
        if (CompareLsn is { } lsn)
            facts["compare_lsn"] = lsn;
        if (RestoreSeconds is { } seconds)
            facts["restore_seconds"] = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        return facts;
    }

    /// <summary>Criteria as a run fact (<c>criteria:&lt;step&gt;</c>), read back by <see cref="ReadCriteria"/> in step order.</summary>
    public static (string Key, string Value) CriteriaFact(string stepId, IReadOnlyList<CriterionResult> criteria) =>
        (CriteriaPrefix + stepId, JsonSerializer.Serialize(criteria));

    public static IReadOnlyList<CriterionResult> ReadCriteria(IReadOnlyDictionary<string, string> facts, IEnumerable<string> stepOrder) =>
        [.. stepOrder.Where(id => facts.ContainsKey(CriteriaPrefix + id))
            .SelectMany(id => JsonSerializer.Deserialize<List<CriterionResult>>(facts[CriteriaPrefix + id]) ?? [])];
}
