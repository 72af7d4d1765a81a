using System.Text.Json;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Outbox;

/// <summary>
/// Writes posts and updates to the durable outbox, once per enabled channel. Nothing is sent here:
/// the dispatcher delivers, so a platform outage delays a post but never loses it.
/// </summary>
public sealed class CardPublisher(IOutboxStore store, IEnumerable<IChannelAdapter> adapters, EnabledChannels enabled, OutboxSignal signal, TimeProvider time)
{
    private readonly IReadOnlyList<IChannelAdapter> channels = adapters.Where(a => enabled.IsEnabled(a.Name)).ToList();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Posts a new message, or replaces the earlier one with the same key in place.</summary>
    public Task PublishAsync(string postKey, CardDocument card, CancellationToken cancellationToken, string? threadKey = null) =>
        EnqueueAllAsync(OutboxOperation.Update, postKey, card, threadKey, cancellationToken);

    /// <summary>Always a new message (status posts, escalation notices), optionally in a thread.</summary>
    public Task PostAsync(string postKey, CardDocument card, CancellationToken cancellationToken, string? threadKey = null) =>
        EnqueueAllAsync(OutboxOperation.Post, postKey, card, threadKey, cancellationToken);

    /// <summary>What <see cref="PublishAsync"/> would enqueue, for a caller that commits it with other writes (then it calls <see cref="OutboxSignal.Notify"/>).</summary>
    public IEnumerable<OutboxMessage> PublishMessages(string postKey, CardDocument card, string? threadKey = null) =>
        Messages(OutboxOperation.Update, postKey, card, threadKey);

    /// <summary>What <see cref="PostAsync"/> would enqueue, for a caller that commits it with other writes.</summary>
    public IEnumerable<OutboxMessage> PostMessages(string postKey, CardDocument card, string? threadKey = null) =>
        Messages(OutboxOperation.Post, postKey, card, threadKey);

    /// <summary>A post into one conversation on one channel (an answer the platform could not take at once).</summary>
    public async Task PostToConversationAsync(string channel, string conversation, string postKey, CardDocument card, CancellationToken cancellationToken)
    {
        await EnqueueAsync(channel, conversation, OutboxOperation.Post, postKey, card, cancellationToken);
        signal.Notify();
    }

    public async Task OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken)
    {
        var payload = new CardDocument(title, title, Mentions: members);
        foreach (var channel in channels)
            await EnqueueAsync(channel.Name, "", OutboxOperation.OpenWarRoom, $"warroom:{incidentId}", payload, cancellationToken);
        signal.Notify();
    }

    private async Task EnqueueAllAsync(OutboxOperation operation, string postKey, CardDocument card, string? threadKey, CancellationToken cancellationToken)
    {
        foreach (var message in Messages(operation, postKey, card, threadKey))
            await store.EnqueueAsync(message, cancellationToken);
        signal.Notify();
    }

    private Task EnqueueAsync(string channel, string conversation, OutboxOperation operation, string postKey, CardDocument card, CancellationToken cancellationToken) =>
        store.EnqueueAsync(Message(channel, conversation, operation, postKey, JsonSerializer.Serialize(card, Json), null), cancellationToken);

    /// <summary>One message per enabled channel; the card is serialised once for all of them.</summary>
    private List<OutboxMessage> Messages(OutboxOperation operation, string postKey, CardDocument card, string? threadKey)
    {
        var payload = JsonSerializer.Serialize(card, Json);
        return channels.Select(c => Message(c.Name, "", operation, postKey, payload, threadKey)).ToList();
    }

    private OutboxMessage Message(string channel, string conversation, OutboxOperation operation, string postKey, string payload, string? threadKey) =>
        new(0, channel, conversation, operation, postKey, payload, time.GetUtcNow(), threadKey);
}

/// <summary>
/// Wakes the dispatcher as soon as something is enqueued instead of waiting for its next poll, and
/// lets urgent work hold deliveries back for a moment: while a burst of alerts is being written, the
/// webhook senders wait on the bot (and retry when kept waiting too long), whereas chat platforms take
/// only a few posts per second per channel anyway, so each delivery waits for the hold to end, at most
/// about 50 ms. Deliveries go on during a long burst, only slower, and catch up after it.
/// </summary>
public sealed class OutboxSignal : IOutboxWakeUp
{
    private static readonly TimeSpan HoldPoll = TimeSpan.FromMilliseconds(2);
    private const int MaxHoldPolls = 25;
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _holds;

    public void Notify()
    {
        if (_semaphore.CurrentCount == 0)
        {
            try { _semaphore.Release(); }
            catch (SemaphoreFullException) { /* already signalled */ }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);

    /// <summary>Holds deliveries back until the returned hold is disposed.</summary>
    public IDisposable HoldDeliveries()
    {
        Interlocked.Increment(ref _holds);
        return new Hold(this);
    }

    public bool IsHeld => Volatile.Read(ref _holds) > 0;

    /// <summary>Returns when no hold is left, or after about 50 ms of holds.</summary>
    public async Task WaitWhileHeldAsync(CancellationToken cancellationToken)
    {
        for (var poll = 0; poll < MaxHoldPolls && IsHeld; poll++)
            await Task.Delay(HoldPoll, cancellationToken);
    }

    private sealed class Hold(OutboxSignal signal) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                Interlocked.Decrement(ref signal._holds);
        }
    }
}
