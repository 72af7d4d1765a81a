using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
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
public interface IDrBotStore : IRunStore, IIncidentStore, ITimerStore, IOutboxStore, IAuditStore, IIdempotencyStore
{
    /// <summary>
    /// One transaction: claims every key of <see cref="StoreCommit.Claims"/> (as
    /// <see cref="IIdempotencyStore.TryClaimIdempotencyKeyAsync"/> at <paramref name="at"/>), sets the values and
    /// enqueues the messages in order. False, with nothing written, when any key is already claimed (or repeated in
    /// the list): another writer got there first, so reload and try again.
    /// </summary>
    Task<bool> TryCommitAsync(StoreCommit commit, DateTimeOffset at, CancellationToken cancellationToken);
}

public interface IRunStore
{
    /// <summary>Inserts or replaces the run (by id).</summary>
    Task SaveRunAsync(RunRecord run, CancellationToken cancellationToken);
    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(bool unfinishedOnly, CancellationToken cancellationToken);

    /// <summary>False when (RunId, StepId, Attempt, Phase) is already recorded.</summary>
    Task<bool> TryAppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken);
    Task<IReadOnlyList<JournalEntry>> GetJournalAsync(string runId, CancellationToken cancellationToken);

    /// <summary>False when the gate (RunId, StepId) already has a decision: the first one wins.</summary>
    Task<bool> TryRecordDecisionAsync(GateDecision decision, CancellationToken cancellationToken);
    Task<GateDecision?> GetDecisionAsync(string runId, string stepId, CancellationToken cancellationToken);
    Task<IReadOnlyList<GateDecision>> GetDecisionsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Several replicas: leases the run to <paramref name="owner"/> until <paramref name="until"/> when it is
    /// unleased, its lease expired at <paramref name="now"/>, or <paramref name="owner"/> already holds it
    /// (then the lease is renewed). False when another owner holds a live lease or the run does not exist.
    /// Only the holder advances the run, so each step runs on one replica at a time. A store that serves a
    /// single process (LiteDB) may grant every lease on an existing run.
    /// </summary>
    Task<bool> TryLeaseRunAsync(string runId, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Clears the run's lease, only while <paramref name="owner"/> holds it.</summary>
    Task ReleaseRunLeaseAsync(string runId, string owner, CancellationToken cancellationToken);
}

public interface IIncidentStore
{
    Task SaveIncidentAsync(Incident incident, CancellationToken cancellationToken);
    Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken);
    Task<IReadOnlyList<Incident>> ListIncidentsAsync(bool openOnly, CancellationToken cancellationToken);
    /// <summary>
    /// Optimistic update for several replicas: saves the incident as version <paramref name="expectedVersion"/> + 1
    /// only when the stored incident is still at <paramref name="expectedVersion"/>, and then sets
    /// <see cref="Incident.Version"/> to the new version. False (nothing written) when another writer saved first
    /// or the incident does not exist: reload, reapply, try again.
    /// </summary>
    Task<bool> TryUpdateIncidentAsync(Incident incident, int expectedVersion, CancellationToken cancellationToken);
    /// <summary>Next number of a named counter (incident and run numbers), starting at 1.</summary>
    Task<long> NextSequenceAsync(string counter, CancellationToken cancellationToken);
}

public interface ITimerStore
{
    /// <summary>Inserts or moves the timer with this id (clearing any lease).</summary>
    Task ScheduleTimerAsync(ScheduledTimer timer, CancellationToken cancellationToken);
    Task CancelTimerAsync(string timerId, CancellationToken cancellationToken);
    Task<IReadOnlyList<ScheduledTimer>> ListTimersAsync(CancellationToken cancellationToken);
    /// <summary>
    /// Leases up to <paramref name="max"/> timers due at <paramref name="now"/> whose lease is free or
    /// expired, to <paramref name="owner"/> until now + lease.
    /// </summary>
    Task<IReadOnlyList<ScheduledTimer>> ClaimDueTimersAsync(DateTimeOffset now, string owner, TimeSpan lease, int max, CancellationToken cancellationToken);
    /// <summary>Removes a fired timer, only while <paramref name="owner"/> holds it.</summary>
    Task<bool> CompleteTimerAsync(string timerId, string owner, CancellationToken cancellationToken);
}

public interface IOutboxStore
{
    /// <summary>Stores the message and returns its sequence number (increasing).</summary>
    Task<long> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken);
    /// <summary>
    /// Leases, for each channel, the oldest undelivered message if it is due and not leased by
    /// someone else: delivery order per channel is the enqueue order.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueOutboxAsync(DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken);
    Task MarkDeliveredAsync(long sequence, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// A delivery succeeded: saves the post's <paramref name="reference"/> (when given) and marks
    /// <paramref name="message"/> (as claimed) delivered. Stores that can do both in one write should
    /// override this: the dispatcher calls it once per message delivered.
    /// </summary>
    async Task CompleteDeliveryAsync(OutboxMessage message, DateTimeOffset at, PostReference? reference, CancellationToken cancellationToken)
    {
        if (reference is not null)
        {
            await SavePostReferenceAsync(reference, cancellationToken);
        }
        await MarkDeliveredAsync(message.Sequence, at, cancellationToken);
    }
    Task MarkRetryAsync(long sequence, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken);
    Task<int> CountUndeliveredAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<OutboxMessage>> ListOutboxAsync(bool undeliveredOnly, CancellationToken cancellationToken);

    Task SavePostReferenceAsync(PostReference reference, CancellationToken cancellationToken);
    Task<PostReference?> GetPostReferenceAsync(string channel, string postKey, CancellationToken cancellationToken);
}

public interface IAuditStore
{
    /// <summary>Appends atomically: sequence, previous hash and hash are assigned under the store's own lock.</summary>
    Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken);
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(CancellationToken cancellationToken);
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
