using System.Collections.Concurrent;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Tests.Support;

/// <summary>
/// The idempotency and key/value part of the store, in memory, for channel tests that exercise the
/// protocol alone: first claim wins, atomically, as the stores' unique indexes make it.
/// </summary>
public sealed class InMemoryIdempotencyStore : IIdempotencyStore
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _keys = new();
    private readonly ConcurrentDictionary<string, string> _values = new();

    public Task<bool> TryClaimIdempotencyKeyAsync(string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(_keys.TryAdd(key, at));

    public Task SetValueAsync(string key, string value, CancellationToken cancellationToken)
    {
        _values[key] = value;
        return Task.CompletedTask;
    }

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(_values.TryGetValue(key, out var value) ? value : null);

    public void Clear()
    {
        _keys.Clear();
        _values.Clear();
    }
}
