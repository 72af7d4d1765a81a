using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;

namespace DrBot.Bot.Channels.Teams;

/// <summary>Turns a <see cref="CardDocument"/> into a Bot Framework message activity.</summary>
public sealed class TeamsMessages(IAdaptiveCardRenderer renderer)
{
    public const string AdaptiveCardContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>
    /// A message with the people to notify as <c>&lt;at&gt;Name&lt;/at&gt;</c> text and matching mention
    /// entities, and the card as an Adaptive Card attachment (plain text cards go as text only).
    /// </summary>
    public JsonObject Message(CardDocument card, string? extraText = null)
    {
        var text = new List<string>();
        var entities = new JsonArray();
        foreach (var person in card.MentionedPeople.Where(p => !string.IsNullOrEmpty(p.TeamsAadObjectId)))
        {
            var at = $"<at>{WebUtility.HtmlEncode(person.DisplayName)}</at>";
            text.Add(at);
            entities.Add(new JsonObject
            {
                ["type"] = "mention",
                ["text"] = at,
                ["mentioned"] = new JsonObject { ["id"] = person.TeamsAadObjectId, ["name"] = person.DisplayName },
            });
        }

        if (!string.IsNullOrWhiteSpace(extraText))
        {
            text.Add(WebUtility.HtmlEncode(extraText));
        }

        var activity = new JsonObject { ["type"] = "message" };
        if (IsPlainText(card))
        {
            text.Add(WebUtility.HtmlEncode(card.FallbackText));
        }
        else
        {
            activity["summary"] = card.FallbackText;
            activity["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = AdaptiveCardContentType,
                ["content"] = renderer.Render(card),
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

    private static bool IsPlainText(CardDocument card) =>
        card.Body.Count == 0 && card.InputFields.Count == 0 && card.Actions.Count == 0 && card.Refresh is null
        && card.Subtitle is null && card.Title == card.FallbackText;
}
