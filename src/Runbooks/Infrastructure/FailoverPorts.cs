namespace DrBot.Runbooks.Infrastructure;

public enum FenceState { Fenced, AlreadyFenced, Unreachable, Failed }

public sealed record FenceResult(FenceState State, string Detail)
{
    public bool Done => State is FenceState.Fenced or FenceState.AlreadyFenced;
}

/// <summary>
/// Fencing of a region's old primary database: it refuses writes afterwards (split-brain prevention),
/// verified by a write that must fail. Also the WAL positions a planned switchover compares.
/// </summary>
public interface IDatabaseFence
{
    Task<FenceResult> FenceAsync(string region, CancellationToken cancellationToken);
    /// <summary>Undoes <see cref="FenceAsync"/> (a rollback before the point of no return).</summary>
    Task<InfraActionResult> UnfenceAsync(string region, CancellationToken cancellationToken);
    /// <summary>The primary's last flushed WAL position (every acknowledged commit is at or before it).</summary>
    Task<string> FlushedLsnAsync(string region, CancellationToken cancellationToken);
    /// <summary>Whether the region's replica has replayed WAL up to <paramref name="lsn"/>; its replay position in <c>Detail</c>.</summary>
    Task<(bool Replayed, string ReplayLsn)> HasReplayedAsync(string region, string lsn, CancellationToken cancellationToken);
}

/// <summary>One heartbeat row as the primary committed it.</summary>
public sealed record Heartbeat(long Sequence, DateTimeOffset CommittedAt);

/// <summary>What a replica holds at a moment: the newest heartbeat and the last commit it replayed.</summary>
public sealed record ReplicaPosition(Heartbeat? Newest, DateTimeOffset? LastReplayedCommit, string? ReplayLsn);

/// <summary>
/// The <c>drbot_heartbeat</c> table: the bot writes a row on each region's primary every probe interval;
/// after a promotion the newest row present on the new primary bounds what may be lost.
/// </summary>
public interface IDatabaseHeartbeat
{
    /// <summary>Writes a heartbeat on the region's database when it is a writable primary; null when it is a replica.</summary>
    Task<Heartbeat?> WriteAsync(string region, CancellationToken cancellationToken);
    Task<ReplicaPosition> ReadPositionAsync(string region, CancellationToken cancellationToken);
    /// <summary>Connects with the URL the application is given and says whether it reaches a writable primary.</summary>
    Task<InfraActionResult> VerifyApplicationUrlAsync(string region, string url, CancellationToken cancellationToken);
    /// <summary>
    /// After a promotion: the new primary accepts a new heartbeat, the newest heartbeat it held when promoted
    /// is there, and (planned switchover) its WAL is past the old primary's last position.
    /// </summary>
    Task<ConsistencyReport> CheckAfterPromotionAsync(string region, long? heartbeatAtPromotion, string? switchoverLsn, CancellationToken cancellationToken);
}
