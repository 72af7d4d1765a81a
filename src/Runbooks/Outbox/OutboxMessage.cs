namespace DrBot.Runbooks.Outbox;

public enum OutboxOperation { Post, Update, PostPrivate, OpenWarRoom }

/// <summary>
/// A post or update waiting to be delivered to a chat platform. Written to the store before it is
/// sent; delivered in <see cref="Sequence"/> order per <see cref="Channel"/>; retried with backoff
/// until delivered. <see cref="PostKey"/> names the logical message (e.g. <c>run:R-7</c>) so an
/// update finds the platform message id of the post it replaces.
/// </summary>
public sealed record OutboxMessage(
    long Sequence,
    string Channel,
    string Conversation,
    OutboxOperation Operation,
    string PostKey,
    string Payload,
    DateTimeOffset CreatedAt,
    string? ThreadKey = null,
    string? TargetUser = null,
    int Attempts = 0,
    DateTimeOffset? NextAttemptAt = null,
    string? LastError = null,
    DateTimeOffset? DeliveredAt = null,
    string? LeaseOwner = null,
    DateTimeOffset? LeaseUntil = null);

/// <summary>Where a logical message landed on a platform, so later updates can replace it in place.</summary>
public sealed record PostReference(string Channel, string PostKey, string Conversation, string PlatformMessageId, string? ThreadId);
