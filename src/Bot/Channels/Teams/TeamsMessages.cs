using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;

namespace DrBot.Bot.Channels.Teams;

/// <summary>Turns a <see cref="CardDocument"/> into a Bot Framework message activity.</summary>
public sealed class TeamsMessages(IAdaptiveCardRenderer renderer, TeamsConversations conversations)
{
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>
    /// A message with the card as an Adaptive Card attachment, or, for a plain text card, as text.
    /// People to notify are mentioned as <c>&lt;at&gt;Name&lt;/at&gt;</c> text with matching mention
    /// entities, in the message unless the rendered card already mentions them itself.
    /// </summary>
    public async Task<JsonObject> MessageAsync(CardDocument card, CancellationToken cancellationToken)
    {
        var activity = new JsonObject { ["type"] = "message" };
        var text = new List<string>();
        var mentionInMessage = true;
        if (IsPlainText(card))
        {
            text.Add(WebUtility.HtmlEncode(card.FallbackText));
        }
        else
        {
            var content = await CardAsync(card, cancellationToken);
            mentionInMessage = content["msteams"]?["entities"] is not JsonArray { Count: > 0 };
            activity["summary"] = card.FallbackText;
            activity["attachments"] = new JsonArray(new JsonObject { ["contentType"] = AdaptiveCardContentType, ["content"] = content });
        }

        var entities = new JsonArray();
        foreach (var person in mentionInMessage ? card.MentionedPeople.Where(p => !string.IsNullOrEmpty(p.TeamsAadObjectId)) : [])
        {
            var at = $"<at>{WebUtility.HtmlEncode(person.DisplayName)}</at>";
            text.Insert(entities.Count, at);
            entities.Add(new JsonObject
            {
                ["type"] = "mention",
                ["text"] = at,
                ["mentioned"] = new JsonObject { ["id"] = person.TeamsAadObjectId, ["name"] = person.DisplayName },
            });
        }

        if (text.Count > 0)
        {
            activity["text"] = string.Join(' ', text);
        }

        if (entities.Count > 0)
        {
            activity["entities"] = entities;
        }

        return activity;
    }

    /// <summary>
    /// The Adaptive Card, with <c>refresh.userIds</c> set to the Teams user ids (MRIs) of the
    /// card's approvers that DrBot has seen, so they get the Approve/Reject view and others the status.
    /// </summary>
    public async Task<JsonObject> CardAsync(CardDocument card, CancellationToken cancellationToken)
    {
        var content = renderer.Render(card);
        if (card.Refresh is null || content["refresh"] is not JsonObject refresh)
        {
            return content;
        }

        var userIds = new JsonArray();
        foreach (var person in card.Refresh.Users.Where(p => !string.IsNullOrEmpty(p.TeamsAadObjectId)).Take(60))
        {
            if (await conversations.TeamsUserIdAsync(person.TeamsAadObjectId!, cancellationToken) is { } mri)
            {
                userIds.Add(mri);
            }
        }

        if (userIds.Count > 0)
        {
            refresh["userIds"] = userIds;
        }

        return content;
    }

    private static bool IsPlainText(CardDocument card) =>
        card.Body.Count == 0 && card.InputFields.Count == 0 && card.Actions.Count == 0 && card.Refresh is null
        && card.Subtitle is null && card.Title == card.FallbackText;
}
