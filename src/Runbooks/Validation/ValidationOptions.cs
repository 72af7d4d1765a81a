namespace DrBot.Runbooks.Validation;

/// <summary><c>DrBot:Validation</c>: what the backup-restore and data-consistency validations check.</summary>
public sealed class ValidationOptions
{
    public const string Section = "DrBot:Validation";

    /// <summary>Tables whose row counts and checksums are compared (<c>schema.table</c>).</summary>
    public List<string> Tables { get; set; } = [];

    /// <summary>Smoke queries run on the restored copy; each must succeed and its first value must not be false, null or 0.</summary>
    public List<string> SmokeQueries { get; set; } = [];

    /// <summary>A plain-format base backup (pg_basebackup -Fp output) to restore instead of taking a fresh one from the primary.</summary>
    public string? BackupPath { get; set; }

    /// <summary>PostgreSQL's bin folder (pg_basebackup, pg_ctl); default: the newest under /usr/lib/postgresql.</summary>
    public string? PostgresBinDir { get; set; }

    /// <summary>Where the scratch instance is made (and removed); default: the system temp folder.</summary>
    public string? ScratchDirectory { get; set; }

    /// <summary>The OS user that runs the scratch server when the bot runs as root (PostgreSQL refuses root): <c>postgres</c>.</summary>
    public string RunAsUser { get; set; } = "postgres";

    /// <summary>The tier whose RTO the restore time is measured against (<c>critical</c>).</summary>
    public string Tier { get; set; } = "critical";

    /// <summary>The region whose database is backed up or compared (default: the one configured as primary).</summary>
    public string? PrimaryRegion { get; set; }

    /// <summary>backup-restore with <see cref="BackupPath"/>: the <c>restore_command</c> that fetches archived WAL (none: the backup's own WAL only).</summary>
    public string? RestoreCommand { get; set; }

    /// <summary>How long the replica may take to replay past the backup's end (or data-consistency's LSN) (2 min).</summary>
    public TimeSpan ReplayWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>data-consistency and backup-restore (the source at the backup's LSN): the replica region (default: the one configured as secondary).</summary>
    public string? ReplicaRegion { get; set; }
}
