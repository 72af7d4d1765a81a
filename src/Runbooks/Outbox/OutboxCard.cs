namespace DrBot.Runbooks.Outbox;

/// <summary>
/// One card as a chat platform shows it: posts and updates with the same key replace each other on
/// screen, so only the newest queued payload needs delivering. Private posts, war rooms and other
/// operations are never merged.
/// </summary>
public readonly record struct OutboxCard(string Channel, string Conversation, string PostKey, string? ThreadKey)
{
    public static OutboxCard? Of(OutboxMessage message) =>
        message.Operation is OutboxOperation.Post or OutboxOperation.Update && message.TargetUser is null
            ? new OutboxCard(message.Channel, message.Conversation, message.PostKey, message.ThreadKey)
            : null;

    /// <summary>The key stored beside a message in the PostgreSQL outbox (unit separators cannot occur in the parts).</summary>
    public string StoreKey => string.Join('\u001f', Channel, Conversation, PostKey, ThreadKey ?? "");
}
