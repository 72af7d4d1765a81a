using DrBot.Runbooks.People;

namespace DrBot.Bot.Channels;

/// <summary>
/// One inbound thing from any platform, normalised: who (resolved to a roster person or not),
/// where, and either command text or a card action.
/// </summary>
public sealed record ChatInput(
    string Channel,
    string Conversation,
    string? ThreadId,
    ChatUser User,
    string? Text,
    CardAction? Action,
    string? DeliveryId);

/// <summary>The sender. <see cref="Person"/> is null for someone not on the roster: they may read, not act.</summary>
public sealed record ChatUser(string PlatformUserId, string DisplayName, Person? Person)
{
    public Actor ToActor(string channel) => new(Person?.Name, Person?.DisplayName ?? DisplayName, channel, PlatformUserId);
}

/// <summary>
/// A card button click. <see cref="Data"/> carries what the button was built with (runId, stepId,
/// version, …) merged with the card's inputs (reason).
/// </summary>
public sealed record CardAction(string Verb, IReadOnlyDictionary<string, string> Data, string? PlatformMessageId);

/// <summary>
/// What the bot answers at once, within the platform's acknowledgement limit. Long work happens
/// after, and its posts go through the outbox. <see cref="Card"/> replaces the clicked card for the
/// clicker (Teams invoke response) where the platform supports it.
/// </summary>
public sealed record ChatReply(string Text, bool Private, Cards.CardDocument? Card = null, bool IsError = false)
{
    public static ChatReply Public(string text, Cards.CardDocument? card = null) => new(text, false, card);
    public static ChatReply PrivateText(string text) => new(text, true);
    public static ChatReply Error(string text) => new(text, true, null, true);
}

/// <summary>The channel-neutral front door: command router and card action handling.</summary>
public interface IChatInputHandler
{
    Task<ChatReply> HandleAsync(ChatInput input, CancellationToken cancellationToken);
}
