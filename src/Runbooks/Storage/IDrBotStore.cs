using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Timers;

namespace DrBot.Runbooks.Storage;

/// <summary>
/// Everything DrBot keeps. LiteDB (embedded default) and PostgreSQL implement it and pass one
/// contract test suite. Idempotency is enforced by unique indexes in the store (the Try… methods
/// answer false on a duplicate), never by check-then-insert. A store that cannot be reached throws
/// <see cref="StoreUnavailableException"/>: callers refuse the action rather than act unrecorded.
/// </summary>
public interface IDrBotStore : IRunStore, IIncidentStore, ITimerStore, IOutboxStore, IAuditStore, IIdempotencyStore, IRetentionStore
{
    /// <summary>
    /// One transaction: claims every key of <see cref="StoreCommit.Claims"/> (as
    /// <see cref="IIdempotencyStore.TryClaimIdempotencyKeyAsync"/> at <paramref name="at"/>), sets the values,
    /// saves the runs fenced by their lease and version (<see cref="StoreCommit.Runs"/>) and enqueues the messages in
    /// order. False, with nothing written, when any key is already claimed (or repeated in the list) or a run's fence
    /// does not hold: another writer got there first, so reload and try again (or, for a run, leave it to the holder).
    /// </summary>
    Task<bool> TryCommitAsync(StoreCommit commit, DateTimeOffset at, CancellationToken cancellationToken);
}

public interface IIdempotencyStore
{
    /// <summary>True the first time a key is seen (inbound delivery id, card click nonce), false after.</summary>
    Task<bool> TryClaimIdempotencyKeyAsync(string key, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Claims several keys, answering per key (in order) what <see cref="TryClaimIdempotencyKeyAsync"/>
    /// would; a key repeated within the list is claimed by its first occurrence only. Alert intake
    /// claims ten or more keys per webhook: stores should override this with one transaction (LiteDB
    /// commits per transaction, so this is several times faster than one claim at a time).
    /// </summary>
    async Task<IReadOnlyList<bool>> TryClaimIdempotencyKeysAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var claimed = new bool[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            claimed[i] = await TryClaimIdempotencyKeyAsync(keys[i], at, cancellationToken);
        }
        return claimed;
    }

    /// <summary>A small key/value area for channel state (Teams conversation references and the like).</summary>
    Task SetValueAsync(string key, string value, CancellationToken cancellationToken);
    Task<string?> GetValueAsync(string key, CancellationToken cancellationToken);

    /// <summary>The values of those <paramref name="keys"/> that have one, in one read where the store can (alert intake reads a record per group of a batch).</summary>
    async Task<IReadOnlyDictionary<string, string>> GetValuesAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (await GetValueAsync(key, cancellationToken) is { } value)
            {
                values[key] = value;
            }
        }
        return values;
    }
}

/// <summary>The store cannot be reached: refuse the action and say so.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
