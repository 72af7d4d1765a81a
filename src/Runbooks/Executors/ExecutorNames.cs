namespace DrBot.Runbooks.Executors;

/// <summary>The names of the built-in step executors, as definitions (and configuration) refer to them.</summary>
public static class ExecutorNames
{
    public const string PrimaryDown = "check.primary-down";
    public const string RegionHealthy = "check.region-healthy";
    public const string ReplicationLag = "check.replication-lag";
    public const string DatabasePromote = "db.promote";
    public const string UpdateConnectionString = "app.update-connection-string";
    public const string RestoreConnectionString = "app.restore-connection-string";
    public const string ClusterCredentials = "cluster.credentials";
    public const string ClusterScale = "cluster.scale";
    public const string ClusterRestoreScale = "cluster.restore-scale";
    public const string TrafficSwitch = "traffic.switch";
    public const string TrafficEnable = "traffic.enable";
    public const string TrafficDisable = "traffic.disable";
    public const string ServicesVerify = "services.verify";
    public const string SmokeTests = "smoke.tests";
    public const string DataConsistency = "data.consistency";
    public const string ErrorRates = "error-rates";
    public const string Notify = "notify";
    public const string StatusPage = "status-page";
    public const string Timeline = "timeline";
    public const string Ticket = "ticket";
    public const string Fence = "db.fence";
    public const string Unfence = "db.unfence";
    public const string WaitForReplay = "db.wait-replay";
    public const string DataLossBound = "check.data-loss-bound";
    public const string CachePromote = "cache.promote";
    public const string CacheRestore = "cache.restore";
    public const string RegionConfigured = "check.region-configured";
    public const string BackupPreChecks = "validate.backup-prechecks";
    public const string BackupTake = "validate.backup-take";
    public const string BackupSourceAtLsn = "validate.backup-source-at-lsn";
    public const string BackupRestoreToLsn = "validate.backup-restore-to-lsn";
    public const string BackupVerify = "validate.backup-verify";
    public const string BackupRemove = "validate.backup-remove";
    public const string ConsistencyChecksums = "validate.consistency-checksums";
    public const string ConsistencyReplication = "validate.replication-status";
    public const string ConsistencyArchiving = "validate.wal-archiving";

}
