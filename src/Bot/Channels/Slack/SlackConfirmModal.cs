using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards.BlockKit;
using DrBot.Bot.Views;

namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// Slack's typed confirmation of a destructive gate: Approve on such a card carries the name to type
/// (<see cref="CardVerbs.ConfirmTarget"/>), so the click opens a modal (<c>views.open</c> with the click's
/// <c>trigger_id</c>) with one text input; its <c>view_submission</c> comes back as the same approval with
/// what was typed. The modal keeps the button's data and where the card is in <c>private_metadata</c>.
/// </summary>
public static class SlackConfirmModal
{
    public const string CallbackId = "drbot-confirm";

    /// <summary>The <c>views.open</c> body for a click that must be confirmed by typing; null for any other click.</summary>
    public static JsonObject? ViewsOpen(SlackClick click)
    {
        var data = click.Action.Data;
        if (click.Action.Verb != CardVerbs.Approve || click.TriggerId is null
            || !data.TryGetValue(CardVerbs.ConfirmTarget, out var target) || data.ContainsKey(CardVerbs.Confirm))
        {
            return null;
        }
        var metadata = new JsonObject
        {
            ["button"] = BlockKitButtons.Value(click.Action.Verb, data),
            ["channel"] = click.ChannelId,
            ["ts"] = click.MessageTs,
            ["thread"] = click.ThreadTs,
            ["responseUrl"] = click.ResponseUrl,
        };
        return new JsonObject
        {
            ["trigger_id"] = click.TriggerId,
            ["view"] = new JsonObject
            {
                ["type"] = "modal",
                ["callback_id"] = CallbackId,
                ["title"] = BlockKitRenderer.PlainText("Confirm approval"),
                ["submit"] = BlockKitRenderer.PlainText("Approve"),
                ["close"] = BlockKitRenderer.PlainText("Cancel"),
                ["private_metadata"] = metadata.ToJsonString(),
                ["blocks"] = new JsonArray(
                    new JsonObject
                    {
                        ["type"] = "section",
                        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = $"*This cannot be undone.* Type *{SlackMrkdwn.Escape(target)}*, the target region, to approve." },
                    },
                    new JsonObject
                    {
                        ["type"] = "input",
                        ["block_id"] = CardVerbs.Confirm,
                        ["label"] = BlockKitRenderer.PlainText($"Type {target} to approve"),
                        ["element"] = new JsonObject { ["type"] = "plain_text_input", ["action_id"] = CardVerbs.Confirm },
                    }),
            },
        };
    }

    /// <summary>A <c>view_submission</c> of DrBot's confirmation modal as the click it confirms (what was typed added); null otherwise.</summary>
    public static SlackClick? ParseSubmission(string payload)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (json is null || Str(json, "type") != "view_submission" || json["view"] is not JsonObject view || Str(view, "callback_id") != CallbackId
            || Str(json["user"], "id") is not { } userId || Str(view, "private_metadata") is not { } raw)
        {
            return null;
        }
        JsonObject? metadata;
        try
        {
            metadata = JsonNode.Parse(raw) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (metadata is null || BlockKitButtons.Parse(Str(metadata, "button")) is not var (verb, data) || Str(metadata, "channel") is not { } channel)
        {
            return null;
        }
        // Whatever was typed (nothing included) is what the rule judges.
        data[CardVerbs.Confirm] = Str(view["state"]?["values"]?[CardVerbs.Confirm]?[CardVerbs.Confirm], "value") ?? "";
        var messageTs = Str(metadata, "ts");
        return new SlackClick(userId, Str(json["user"], "username") ?? Str(json["user"], "name") ?? userId, channel, messageTs, Str(metadata, "thread"),
            Str(metadata, "responseUrl"), Str(json, "trigger_id") ?? Str(view, "id") ?? "", new CardAction(verb, data, messageTs), Str(json, "trigger_id"));
    }

    /// <summary>The answer to a submission that was refused: the modal stays open showing why under the input.</summary>
    public static JsonObject Errors(string message) => new()
    {
        ["response_action"] = "errors",
        ["errors"] = new JsonObject { [CardVerbs.Confirm] = message.Length > 1900 ? message[..1899] + "…" : message },
    };

    private static string? Str(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
