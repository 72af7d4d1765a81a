using DrBot.Runbooks.Outbox;

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
