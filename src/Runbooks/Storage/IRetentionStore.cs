namespace DrBot.Runbooks.Storage;

/// <summary>
/// Deletes what is only kept for a while: delivered outbox messages, idempotency keys of the kinds
/// named in the request, and values whose expiry has passed. Incidents, runs, their journal and
/// decisions, timers, post references and the audit chain are never touched. Each call deletes at
/// most <see cref="PruneRequest.MaxRows"/> rows of each kind, so the store is never held for long;
/// the caller repeats while a count comes back full.
/// </summary>
public interface IRetentionStore
{
    Task<PruneCounts> PruneAsync(PruneRequest request, CancellationToken cancellationToken);
}

/// <param name="DeliveredOutboxBefore">Delivered outbox messages delivered before this go.</param>
/// <param name="Keys">Idempotency keys starting with a prefix go when claimed before its cutoff; keys of no listed prefix stay.</param>
/// <param name="ValuesExpiredBy">Values whose expiry (<see cref="StoreCommit.ValueExpiries"/>) is at or before this go.</param>
public sealed record PruneRequest(
    DateTimeOffset DeliveredOutboxBefore,
    IReadOnlyList<KeyPrefixCutoff> Keys,
    DateTimeOffset ValuesExpiredBy,
    int MaxRows = 5_000);

/// <summary>Idempotency keys beginning with <paramref name="Prefix"/> claimed before <paramref name="Before"/>.</summary>
public sealed record KeyPrefixCutoff(string Prefix, DateTimeOffset Before);

public sealed record PruneCounts(int OutboxMessages, int IdempotencyKeys, int Values)
{
    public int Total => OutboxMessages + IdempotencyKeys + Values;

    /// <summary>True when some kind hit the row limit, so more may be waiting.</summary>
    public bool MayHaveMore(int maxRows) => OutboxMessages >= maxRows || IdempotencyKeys >= maxRows || Values >= maxRows;
}
