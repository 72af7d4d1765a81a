using System.Text.Json;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Infrastructure.Failover;

/// <summary>An old primary that could not be fenced (unreachable), to fence as soon as it answers.</summary>
public sealed record PendingFence(string Region, string NewPrimary, string RunId, string? IncidentId, DateTimeOffset Since);

/// <summary>
/// Old primaries the failover could not fence, kept in the store (<c>fences:pending</c>). The health
/// monitor calls <see cref="FenceReturnedAsync"/> every probe interval: a region that answers again is
/// made read-only (and its cache follows the new master) before anyone can write to it.
/// </summary>
public sealed class PendingFences(IDrBotStore store, IDatabaseFence fence, ICacheReplica cache)
{
    private const string Key = "fences:pending";
    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task AddAsync(PendingFence pending, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var list = (await ListAsync(cancellationToken)).Where(p => !string.Equals(p.Region, pending.Region, StringComparison.OrdinalIgnoreCase)).ToList();
            list.Add(pending);
            await store.SetValueAsync(Key, JsonSerializer.Serialize(list), cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RemoveAsync(string region, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var list = await ListAsync(cancellationToken);
            var left = list.Where(p => !string.Equals(p.Region, region, StringComparison.OrdinalIgnoreCase)).ToList();
            if (left.Count != list.Count) await store.SetValueAsync(Key, JsonSerializer.Serialize(left), cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<PendingFence>> ListAsync(CancellationToken cancellationToken) =>
        await store.GetValueAsync(Key, cancellationToken) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<List<PendingFence>>(json) ?? []
            : [];

    /// <summary>Tries every pending fence once; returns what was fenced, with what was done, for the channel.</summary>
    public async Task<IReadOnlyList<(PendingFence Fence, string Detail)>> FenceReturnedAsync(CancellationToken cancellationToken)
    {
        var done = new List<(PendingFence, string)>();
        foreach (var pending in await ListAsync(cancellationToken))
        {
            var result = await fence.FenceAsync(pending.Region, cancellationToken);
            if (result.State == FenceState.Unreachable) continue;
            var detail = result.Detail;
            if (result.Done)
            {
                var follow = await cache.FollowAsync(pending.Region, pending.NewPrimary, cancellationToken);
                detail += $"; cache: {follow.Detail}";
                await RemoveAsync(pending.Region, cancellationToken);
                done.Add((pending, $"{pending.Region} answered again and was fenced: {detail}"));
            }
            else
            {
                done.Add((pending, $"{pending.Region} answers again but could NOT be fenced: {detail}"));
            }
        }
        return done;
    }
}
