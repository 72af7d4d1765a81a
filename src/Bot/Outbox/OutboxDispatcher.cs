using System.Text.Json;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Integrations;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Outbox;

/// <summary>
/// Delivers the outbox: per channel the oldest undelivered message first (the store only hands out
/// the head of each channel's queue), retried with exponential backoff or the platform's
/// Retry-After. Channels do not wait for each other. A message that cannot be read, that the
/// platform refuses for good, or that fails <c>DrBot:Outbox:MaxAttempts</c> times goes to the
/// dead-letter list (shown in /healthz, /metrics and the channel) so the channel moves on.
/// </summary>
public sealed partial class OutboxDispatcher(
    IOutboxStore store,
    IIdempotencyStore deadLetterList,
    IEnumerable<IChannelAdapter> adapters,
    IEnumerable<IOutboundIntegration> integrations,
    OutboxSignal signal,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger,
    IConfiguration? configuration = null,
    FreezeBanner? freezeBanner = null) : BackgroundService
{
    public const int DefaultMaxAttempts = 10;
    private const string NoticePrefix = "deadletter:";
    private const string Unreadable = "unreadable message";
    private readonly int _maxAttempts = Math.Max(1, configuration?.GetValue("DrBot:Outbox:MaxAttempts", DefaultMaxAttempts) ?? DefaultMaxAttempts);
    private readonly OutboxDeadLetters _deadLetters = new(deadLetterList);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly Dictionary<string, IChannelAdapter> _adapters = adapters.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IOutboundIntegration> _integrations = integrations.ToDictionary(i => i.Name, StringComparer.OrdinalIgnoreCase);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Each channel's head is delivered on its own task: a platform that hangs (Slack taking
        // 10 s per call) holds up its own queue only, never the other channels'.
        var inFlight = new Dictionary<string, Task>(StringComparer.OrdinalIgnoreCase);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Taken before the claim: the store hands our own leased head out again, so a channel
                // that was still delivering when we claimed is left alone until the next round.
                var busy = StillRunning(inFlight);
                foreach (var message in await store.ClaimDueOutboxAsync(time.GetUtcNow(), _owner, Lease, stoppingToken))
                {
                    if (!busy.Contains(message.Channel))
                        inFlight[message.Channel] = DeliverInBackgroundAsync(message, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogDispatchError(ex);
            }
            // Woken by a new message or a finished delivery, else polls.
            await WaitForWorkAsync(stoppingToken);
        }
        await Task.WhenAll(inFlight.Values);
    }

    private static HashSet<string> StillRunning(Dictionary<string, Task> inFlight)
    {
        foreach (var done in inFlight.Where(kv => kv.Value.IsCompleted).Select(kv => kv.Key).ToList())
            inFlight.Remove(done);
        return new HashSet<string>(inFlight.Keys, StringComparer.OrdinalIgnoreCase);
    }

    private async Task DeliverInBackgroundAsync(OutboxMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await signal.WaitWhileHeldAsync(stoppingToken);
            await DeliverAsync(message, stoppingToken);
            signal.Notify();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the lease runs out and the message is delivered after the restart
        }
        catch (Exception ex)
        {
            // Not signalled: a message that keeps failing is retried at the idle poll, not in a spin.
            LogDispatchError(ex);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await signal.WaitAsync(IdlePoll, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>One round, waited for: each channel's due head message, channels in parallel. Returns how many were handled.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.ClaimDueOutboxAsync(time.GetUtcNow(), _owner, Lease, cancellationToken);
        await Task.WhenAll(due.Select(m => DeliverAsync(m, cancellationToken)));
        return due.Count;
    }

    private async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        // Calls to outside services (PagerDuty, Opsgenie…) share the queue, ordering and retries of chat posts.
        if (_integrations.TryGetValue(message.Channel, out var integration))
        {
            await RecordAsync(message, await CallAsync(() => integration.DeliverAsync(message, cancellationToken), cancellationToken), null, cancellationToken);
            return;
        }
        if (!_adapters.TryGetValue(message.Channel, out var adapter))
        {
            await store.MarkRetryAsync(message.Sequence, time.GetUtcNow() + MaxBackoff, $"channel '{message.Channel}' is not enabled", cancellationToken);
            return;
        }
        // The post's reference, read once: SendAsync needs it to update in place, and delivery to keep it.
        var existing = message.Operation == OutboxOperation.PostPrivate ? null : await store.GetPostReferenceAsync(message.Channel, message.PostKey, cancellationToken);
        var result = await CallAsync(() => SendAsync(adapter, message, existing, cancellationToken), cancellationToken);
        await RecordAsync(message, result, existing, cancellationToken);
    }

    /// <summary>A network failure or timeout is worth another try, like a 5xx.</summary>
    private static async Task<DeliveryResult> CallAsync(Func<Task<DeliveryResult>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Retry(ex.Message);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            // The message itself is broken (corrupt payload, impossible operation): no retry can fix it.
            return DeliveryResult.Permanent($"{Unreadable}: {ex.GetType().Name}");
        }
    }

    private async Task RecordAsync(OutboxMessage message, DeliveryResult result, PostReference? existing, CancellationToken cancellationToken)
    {
        switch (result.Status)
        {
            case DeliveryStatus.Delivered:
                PostReference? changed = null;
                if (message.Operation != OutboxOperation.PostPrivate && result.PlatformMessageId is { } id && !_integrations.ContainsKey(message.Channel))
                {
                    var reference = new PostReference(message.Channel, message.PostKey, message.Conversation,
                        existing?.PlatformMessageId ?? id, result.ThreadId ?? existing?.ThreadId ?? id);
                    // An update in place usually leaves the reference as it was: skip rewriting it.
                    if (reference != existing)
                        changed = reference;
                }
                await store.CompleteDeliveryAsync(message, time.GetUtcNow(), changed, cancellationToken);
                break;
            case DeliveryStatus.Retry when message.Attempts + 1 >= _maxAttempts:
                await DeadLetterAsync(message, $"{message.Attempts + 1} attempts failed, the last with: {result.Error}", cancellationToken);
                break;
            case DeliveryStatus.Retry:
                var wait = result.RetryAfter ?? Backoff(message.Attempts);
                LogRetry(message.Channel, message.Sequence, message.Attempts + 1, wait, result.Error ?? "");
                await store.MarkRetryAsync(message.Sequence, time.GetUtcNow() + wait, result.Error ?? "retry", cancellationToken);
                break;
            default:
                // A permanent refusal (bad channel id, card rejected) would block the channel's queue forever.
                var error = result.Error ?? "";
                await DeadLetterAsync(message, error.StartsWith(Unreadable, StringComparison.Ordinal) ? error : $"refused by the platform: {error}", cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Takes the message off its queue and lists it; a chat channel is also told in a post of its own
    /// (unless that notice is what failed). Calls to outside services are listed only.
    /// </summary>
    private async Task DeadLetterAsync(OutboxMessage message, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        LogDropped(message.Channel, message.Sequence, message.PostKey, reason);
        await _deadLetters.AddAsync(message, reason, now, cancellationToken);
        await store.MarkDeliveredAsync(message.Sequence, now, cancellationToken);
        if (message.PostKey.StartsWith(NoticePrefix, StringComparison.Ordinal) || !_adapters.ContainsKey(message.Channel))
            return;
        var text = $"1 post could not be delivered to {ChannelName(message.Channel)}: {reason} (outbox #{message.Sequence}, {message.PostKey}). It is listed in /healthz and /metrics.";
        var conversation = message.Operation == OutboxOperation.PostPrivate ? "" : message.Conversation;
        await store.EnqueueAsync(new OutboxMessage(0, message.Channel, conversation, OutboxOperation.Post, NoticePrefix + message.Sequence,
            JsonSerializer.Serialize(CardDocument.Text(text), CardPublisher.Json), now), cancellationToken);
        signal.Notify();
    }

    private static string ChannelName(string channel) => channel switch
    {
        "teams" => "Teams",
        "slack" => "Slack",
        "local" => "the web chat",
        _ => channel,
    };

    private async Task<DeliveryResult> SendAsync(IChannelAdapter adapter, OutboxMessage message, PostReference? existing, CancellationToken cancellationToken)
    {
        var card = JsonSerializer.Deserialize<CardDocument>(message.Payload, CardPublisher.Json)
            ?? throw new InvalidOperationException($"outbox message {message.Sequence} has no card");
        if (freezeBanner is not null)
            card = await freezeBanner.ApplyAsync(card, cancellationToken);
        switch (message.Operation)
        {
            case OutboxOperation.PostPrivate:
                return await adapter.PostPrivateAsync(message.Conversation, message.TargetUser ?? "", card, cancellationToken);
            case OutboxOperation.OpenWarRoom:
                return await adapter.OpenWarRoomAsync(message.PostKey["warroom:".Length..], card.Title, card.MentionedPeople, cancellationToken);
            case OutboxOperation.Update:
                if (existing is not null)
                    return await adapter.UpdateAsync(existing.Conversation, existing.PlatformMessageId, card, cancellationToken);
                break;
        }
        string? thread = null;
        if (message.ThreadKey is not null)
            thread = (await store.GetPostReferenceAsync(message.Channel, message.ThreadKey, cancellationToken))?.ThreadId;
        return await adapter.PostAsync(message.Conversation, thread, card, cancellationToken);
    }

    private static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts, 10)));
        return TimeSpan.FromSeconds(seconds);
    }

    [LoggerMessage(EventId = HostLogEvents.OutboxDeliveryFailed, Level = LogLevel.Warning, Message = "Outbox delivery on {Channel} #{Sequence} failed (attempt {Attempt}); retrying in {Wait}: {Error}")]
    private partial void LogRetry(string channel, long sequence, int attempt, TimeSpan wait, string error);

    [LoggerMessage(EventId = HostLogEvents.OutboxMessageGivenUp, Level = LogLevel.Error, Message = "Outbox message on {Channel} #{Sequence} ({PostKey}) moved to the dead-letter list: {Error}")]
    private partial void LogDropped(string channel, long sequence, string postKey, string error);

    [LoggerMessage(EventId = HostLogEvents.OutboxRoundFailed, Level = LogLevel.Error, Message = "Outbox dispatch round failed")]
    private partial void LogDispatchError(Exception ex);
}
