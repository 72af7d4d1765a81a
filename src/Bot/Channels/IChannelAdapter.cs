using DrBot.Bot.Cards;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Channels;

/// <summary>How a delivery attempt went: delivered (with the platform's message id), retry later, or give up.</summary>
public sealed record DeliveryResult(DeliveryStatus Status, string? PlatformMessageId, string? ThreadId, TimeSpan? RetryAfter, string? Error)
{
    public static DeliveryResult Delivered(string platformMessageId, string? threadId = null) => new(DeliveryStatus.Delivered, platformMessageId, threadId, null, null);
    public static DeliveryResult Retry(string error, TimeSpan? retryAfter = null) => new(DeliveryStatus.Retry, null, null, retryAfter, error);
    public static DeliveryResult Permanent(string error) => new(DeliveryStatus.PermanentFailure, null, null, null, error);
}

public enum DeliveryStatus { Delivered, Retry, PermanentFailure }

/// <summary>
/// One chat platform, outbound. Called only by the outbox dispatcher, one message at a time per
/// channel, so implementations need not order their own sends. Every method must be safe to call
/// again after a failure (the outbox retries).
/// </summary>
public interface IChannelAdapter
{
    /// <summary>"local", "slack" or "teams": the channel name of outbox messages this adapter delivers.</summary>
    string Name { get; }

    /// <summary>Posts a new message into a conversation, or into a thread of it when <paramref name="threadId"/> is set.</summary>
    Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken);

    /// <summary>Replaces a message posted earlier, in place.</summary>
    Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken);

    /// <summary>Shows something to one person only (Slack ephemeral, Teams 1:1 or invoke answer, local private line).</summary>
    Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken);

    /// <summary>Opens a war room for a P1 and invites the people; returns its conversation id as the message id.</summary>
    Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken);
}
