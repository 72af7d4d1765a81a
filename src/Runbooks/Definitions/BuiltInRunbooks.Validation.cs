using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using static DrBot.Runbooks.Executors.ExecutorNames;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// The strategy's validation runbooks (<c>validate …</c>, the testing schedule, or <c>runbook start
/// &lt;name&gt; &lt;replica-region&gt;</c>): <c>{from}</c> is the current primary, the source;
/// <c>{region}</c> the replica the source is read on. Neither changes what serves traffic.
/// </summary>
public static partial class BuiltInRunbooks
{
    public const string BackupRestoreTest = "backup-restore";
    public const string DataConsistencyCheck = "data-consistency";

    /// <summary>The runbooks that are validations, run as archived exercises rather than for an incident.</summary>
    public static readonly IReadOnlySet<string> Validations = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { BackupRestoreTest, DataConsistencyCheck };

    private static RunbookDefinition BackupRestoreDefinition() => new(
        BackupRestoreTest,
        "Backup-restore test",
        "Monthly full backup-restore test: take the latest base backup of {from}, read the source on {region} paused past the backup's end, restore the backup into a scratch instance to exactly that LSN, compare row counts and checksums of the configured tables, run the smoke queries, measure the restore time against the RTO, remove the scratch instance.",
        [
            Step("pre-checks", "Pre-checks: tables configured, {from} and {region} answer, {region} replays", StepKind.Check, BackupPreChecks),
            // While replay is paused, a failover to the replica would lose the WAL it has not replayed: a lead says when.
            new("approve-replay-pause", "Approve pausing WAL replay on {region} while the source is read", StepKind.Gate, Role: Roles.Lead, AllowSelfApproval: true),
            Step("take-base-backup", "Take a base backup of {from} (a replication slot keeps its WAL)", StepKind.Action, BackupTake) with
            {
                Production = false, OnFailure = FailurePolicy.Rollback, Compensation = BackupRemove, CompensationArgs = ValidationArgs(),
            },
            Step("read-source-at-lsn", "Pause {region} past the backup's end, checksum the tables at that LSN, resume", StepKind.Check, BackupSourceAtLsn) with { OnFailure = FailurePolicy.Rollback },
            Step("restore-to-lsn", "Restore into a scratch instance to exactly that LSN", StepKind.Action, BackupRestoreToLsn) with { Production = false, OnFailure = FailurePolicy.Rollback },
            Step("verify-restored-copy", "Compare checksums, run the smoke queries, restore time within the RTO", StepKind.Check, BackupVerify) with { OnFailure = FailurePolicy.Rollback },
            Step("remove-scratch", "Remove the scratch instance and the slot", StepKind.Action, BackupRemove) with { Production = false },
        ]);

    private static RunbookDefinition DataConsistencyDefinition() => new(
        DataConsistencyCheck,
        "Data-consistency check",
        "Weekly data-consistency check: per-table checksums of the configured tables on {from} and {region} at one LSN, replication streaming, WAL archiving.",
        [
            new("consistency-checks", "Consistency of {from} and {region}", StepKind.Check, Parallel:
            [
                Step("checksums-at-one-lsn", "Checksums of the configured tables equal on {from} and {region} at one LSN", StepKind.Check, ConsistencyChecksums),
                Step("replication-streaming", "{from} streams to a standby", StepKind.Check, ConsistencyReplication),
                Step("wal-archiving", "{from} archives its WAL without failures", StepKind.Check, ConsistencyArchiving),
            ]),
        ]);

    private static StepDefinition Step(string id, string title, StepKind kind, string executor) => new(id, title, kind, executor, ValidationArgs());

    private static Dictionary<string, string> ValidationArgs() => Args(("source", "{from}"), ("region", "{region}"));
}
