using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Alerts.Rules;

/// <summary>
/// The store values the rules keep (consecutive backup failures) as one decision pass sees them:
/// read from the store, changed here, and written by the caller (the intake, with its batch's commit).
/// A later read in the same pass sees the earlier change.
/// </summary>
public sealed class AlertRuleValues(IIdempotencyStore store)
{
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Written => _written;

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken) =>
        _written.TryGetValue(key, out var value) ? value : await store.GetValueAsync(key, cancellationToken);

    public void Set(string key, string value) => _written[key] = value;
}
