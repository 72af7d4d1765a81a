using System.Collections.Concurrent;
using System.Text.Json;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Infrastructure.Failover;

/// <summary>
/// The last heartbeat each region's primary acknowledged, and when the next one first failed: in
/// memory, and in the store (<c>heartbeat:&lt;region&gt;</c>) so a restarted bot still knows. The
/// writer is the bot's heartbeat service; the promotion step reads it to bound the RPO.
/// </summary>
public sealed class HeartbeatLedger(IDrBotStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, HeartbeatRecord> _records = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often the heartbeat is written (the monitor's probe interval).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    public async Task AcknowledgedAsync(string region, Heartbeat heartbeat, CancellationToken cancellationToken)
    {
        var record = new HeartbeatRecord(heartbeat.Sequence, heartbeat.CommittedAt, time.GetUtcNow(), null, Interval);
        _records[region] = record;
        await store.SetValueAsync(Key(region), JsonSerializer.Serialize(record), cancellationToken);
    }

    /// <summary>A heartbeat was not acknowledged: the first failure after the last acknowledgement bounds when the primary stopped.</summary>
    public async Task FailedAsync(string region, CancellationToken cancellationToken)
    {
        var current = await GetAsync(region, cancellationToken);
        if (current is null || current.FirstFailureAt is not null) return;
        var record = current with { FirstFailureAt = time.GetUtcNow() };
        _records[region] = record;
        await store.SetValueAsync(Key(region), JsonSerializer.Serialize(record), cancellationToken);
    }

    public async Task<HeartbeatRecord?> GetAsync(string region, CancellationToken cancellationToken)
    {
        if (_records.TryGetValue(region, out var record)) return record;
        var stored = await store.GetValueAsync(Key(region), cancellationToken);
        return stored is null ? null : _records.GetOrAdd(region, JsonSerializer.Deserialize<HeartbeatRecord>(stored)!);
    }

    private static string Key(string region) => $"heartbeat:{region.ToLowerInvariant()}";
}

/// <summary>The last acknowledged heartbeat of a region (DB clock), when the bot saw the acknowledgement, and the first failure since (bot clock).</summary>
public sealed record HeartbeatRecord(long Sequence, DateTimeOffset CommittedAt, DateTimeOffset AcknowledgedAt, DateTimeOffset? FirstFailureAt, TimeSpan Interval);

/// <summary>
/// The RPO as an upper bound. Every commit on the old primary before the newest commit the new primary
/// holds (its newest heartbeat, or the last commit it replayed, whichever is later) survived: WAL is
/// replayed in order. The old primary was alive at its last acknowledged heartbeat and had stopped
/// answering by the first failed one (at least one interval later). So at most
/// (last acknowledged − newest present) + (silence after the last acknowledgement) of commits can be lost.
/// </summary>
public static class RpoBound
{
    public sealed record Result(double Seconds, string Text);

    public static Result? Compute(string from, string to, HeartbeatRecord? last, ReplicaPosition position, DateTimeOffset now)
    {
        if (last is null) return null;
        DateTimeOffset? present = position.Newest?.CommittedAt;
        if (position.LastReplayedCommit is { } replayed && (present is null || replayed > present)) present = replayed;
        if (present is null) return null;
        var silence = (last.FirstFailureAt ?? now) - last.AcknowledgedAt;
        if (silence < last.Interval) silence = last.Interval;
        var behind = last.CommittedAt - present.Value;
        if (behind < TimeSpan.Zero) behind = TimeSpan.Zero;
        var seconds = Math.Round((behind + silence).TotalSeconds, 1, MidpointRounding.ToPositiveInfinity);
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"RPO ≤ {seconds:0.0} s, heartbeat every {last.Interval.TotalSeconds:0.#} s (last acknowledged by {from} at {last.CommittedAt:HH:mm:ss.f}, then silent {silence.TotalSeconds:0.0} s; newest commit on {to} {present.Value:HH:mm:ss.f})");
        return new Result(seconds, text);
    }
}
