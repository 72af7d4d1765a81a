using DrBot.Bot.Cards;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Channels.Local;

/// <summary>The local web chat as a channel: posts become lines of the <see cref="LocalChatLog"/>.</summary>
public sealed class LocalChannelAdapter(LocalChatLog log, IAdaptiveCardRenderer renderer, TimeProvider time) : IChannelAdapter
{
    public const string ChannelName = "local";
    public const string BotAuthor = "DrBot";

    public string Name => ChannelName;

    public Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken)
    {
        var message = log.Add(BotAuthor, time.GetUtcNow(), card.FallbackText, Render(card), threadId, null);
        return Task.FromResult(DeliveryResult.Delivered(message.Id, threadId ?? message.Id));
    }

    public Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken)
    {
        var updated = log.Replace(platformMessageId, card.FallbackText, Render(card), time.GetUtcNow());
        return Task.FromResult(updated is null
            ? DeliveryResult.Permanent($"local message {platformMessageId} does not exist")
            : DeliveryResult.Delivered(updated.Id, updated.ThreadId));
    }

    public Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken)
    {
        var message = log.Add(BotAuthor, time.GetUtcNow(), card.FallbackText, card.Body.Count == 0 && card.Actions.Count == 0 ? null : Render(card), null, platformUserId);
        return Task.FromResult(DeliveryResult.Delivered(message.Id));
    }

    public Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken)
    {
        var room = $"#war-room-{incidentId.ToLowerInvariant()}";
        var message = log.Add(BotAuthor, time.GetUtcNow(), $"War room {room} opened for {title}; invited: {string.Join(", ", members.Select(m => m.DisplayName))}", null, null, null);
        return Task.FromResult(DeliveryResult.Delivered(message.Id));
    }

    private System.Text.Json.Nodes.JsonObject? Render(CardDocument card) =>
        card.Body.Count == 0 && card.Actions.Count == 0 ? null : renderer.Render(card);
}
