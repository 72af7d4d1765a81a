using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Storage;

/// <summary>
/// Writes that land together or not at all (<see cref="IDrBotStore.TryCommitAsync"/>): alert intake
/// commits the records of every alert group a burst touched, the claims that version them and their
/// card posts in one transaction, so a crash or a refused commit leaves no alert half-handled.
/// </summary>
/// <param name="Claims">Idempotency keys that must all be new; one already claimed refuses the whole commit.</param>
/// <param name="Values">Key/value entries to set (a key given twice takes its last value).</param>
/// <param name="Messages">Outbox messages, enqueued in this order.</param>
public sealed record StoreCommit(
    IReadOnlyList<string> Claims,
    IReadOnlyList<KeyValuePair<string, string>> Values,
    IReadOnlyList<OutboxMessage> Messages)
{
    /// <summary>
    /// Runs to save, each a compare-and-swap (the lease fence): a run at version 1 (or 0) is inserted
    /// only when no run has its id; a later version replaces the stored run only when that one is at
    /// the version before and its lease is held by <see cref="RunOwner"/>. A fence that does not hold
    /// refuses the whole commit, so a replica that lost its lease writes neither the run nor its
    /// messages nor its claims. The engine commits a run's change with the messages it causes, so a
    /// crash leaves both or neither.
    /// </summary>
    public IReadOnlyList<RunRecord> Runs { get; init; } = [];

    /// <summary>
    /// The replica writing <see cref="Runs"/>: it must hold their leases (an expired lease nobody took
    /// over still counts: nobody else wrote since). Null writes only runs nobody leases.
    /// </summary>
    public string? RunOwner { get; init; }

    /// <summary>
    /// Step journal entries written with the runs (an entry already recorded is left as it is), so a
    /// run's state and its journal never disagree: a refused save writes neither.
    /// </summary>
    public IReadOnlyList<JournalEntry> Journal { get; init; } = [];

    /// <summary>
    /// Claimed keys to give back (removed before the claims are taken): a finished run frees its
    /// "one run per runbook and region" claim in the same commit that saves it finished.
    /// </summary>
    public IReadOnlyList<string> Releases { get; init; } = [];

    /// <summary>
    /// Values of this commit that may be deleted after the given time (a resolved alert group's
    /// record); a value set without an entry here is kept until set again with one.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> ValueExpiries { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>The expiry of <paramref name="key"/> as UTC ticks, or null when it is kept.</summary>
    public long? ExpiryTicks(string key) => ValueExpiries.TryGetValue(key, out var at) ? at.UtcTicks : null;

    /// <summary>A run saved together with the messages its change causes.</summary>
    public static StoreCommit ForRun(RunRecord run, IReadOnlyList<OutboxMessage> messages, IReadOnlyList<string>? claims = null, IReadOnlyList<string>? releases = null, string? owner = null) =>
        new(claims ?? [], [], messages) { Runs = [run], Releases = releases ?? [], RunOwner = owner };

    /// <summary>The values with a key given twice reduced to its last value, in first-seen order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> LastValues()
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Values.Count; i++)
        {
            last[Values[i].Key] = i;
        }
        return last.Count == Values.Count ? Values : Values.Where((v, i) => last[v.Key] == i).ToList();
    }
}
