using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Slack;

namespace DrBot.Bot.Tests.Support;

/// <summary>Reading Block Kit messages the bot sent, and building the clicks Slack would send back.</summary>
public static class SlackBlocks
{
    /// <summary>Every text of a call's body (fallback text and all block texts), one per line.</summary>
    public static string Text(SlackApiStub.Call call)
    {
        if (!call.Body.TrimStart().StartsWith('{'))
            return call.Body;
        var builder = new StringBuilder();
        Walk(call.Json, builder);
        return builder.ToString();
    }

    private static void Walk(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "text" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                        builder.AppendLine(v.GetValue<string>());
                    else
                        Walk(value, builder);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    Walk(item, builder);
                break;
        }
    }

    /// <summary>The buttons of a message whose value names the given verb (DrBot's button values are JSON with a "verb").</summary>
    public static IReadOnlyList<JsonObject> Buttons(JsonObject message, string verb) =>
        (message["blocks"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(b => (string?)b["type"] == "actions")
            .SelectMany(b => (b["elements"] as JsonArray ?? []).OfType<JsonObject>().Select(e => WithBlock(e, (string?)b["block_id"])))
            .Where(e => (string?)e["type"] == "button" && Verb(e) == verb)
            .ToList();

    public static bool HasButton(SlackApiStub.Call call, string verb) => call.Body.TrimStart().StartsWith('{') && Buttons(call.Json, verb).Count > 0;

    private static JsonObject WithBlock(JsonObject element, string? blockId)
    {
        var copy = element.DeepClone().AsObject();
        copy["block_id"] = blockId;
        return copy;
    }

    private static string? Verb(JsonObject button)
    {
        try
        {
            return JsonNode.Parse((string?)button["value"] ?? "")?["verb"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>How often a text occurs, e.g. "Approved by" lines on a card or done-step emoji.</summary>
    public static int CountOccurrences(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    /// <summary>A block_actions payload the way Slack sends it for a click on a button in a channel message.</summary>
    public static JsonObject ClickPayload(string userId, string channelId, string messageTs, JsonObject button, string actionTs, string responseUrl)
    {
        var action = new JsonObject
        {
            ["type"] = "button",
            ["block_id"] = (string?)button["block_id"],
            ["action_id"] = (string?)button["action_id"],
            ["text"] = button["text"]?.DeepClone(),
            ["value"] = (string?)button["value"],
            ["action_ts"] = actionTs,
        };
        if (button["style"] is { } style)
            action["style"] = style.DeepClone();
        return new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = "T0TEAM" },
            ["api_app_id"] = "A0APP",
            ["token"] = "deprecated",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = messageTs, ["channel_id"] = channelId, ["is_ephemeral"] = false },
            ["trigger_id"] = $"trigger-{actionTs}",
            ["team"] = new JsonObject { ["id"] = "T0TEAM", ["domain"] = "example" },
            ["channel"] = new JsonObject { ["id"] = channelId, ["name"] = "incident-response" },
            ["message"] = new JsonObject { ["type"] = "message", ["ts"] = messageTs, ["text"] = "DrBot card" },
            // Slack sends the card's inputs with every click; an untouched text box has a null value.
            ["state"] = new JsonObject { ["values"] = new JsonObject { ["reason"] = new JsonObject { ["reason"] = new JsonObject { ["type"] = "plain_text_input", ["value"] = null } } } },
            ["response_url"] = responseUrl,
            ["actions"] = new JsonArray(action),
        };
    }

    /// <summary>
    /// A view_submission payload the way Slack sends it when a modal is submitted: the view as opened (its
    /// callback_id and private_metadata) with each input block's value in state.values.
    /// </summary>
    public static JsonObject SubmissionPayload(string userId, JsonObject openedView, string typed, string triggerId)
    {
        var values = new JsonObject();
        foreach (var block in openedView["blocks"]!.AsArray().OfType<JsonObject>().Where(b => (string?)b["type"] == "input"))
        {
            var actionId = (string)block["element"]!["action_id"]!;
            values[(string)block["block_id"]!] = new JsonObject { [actionId] = new JsonObject { ["type"] = "plain_text_input", ["value"] = typed } };
        }
        return new JsonObject
        {
            ["type"] = "view_submission",
            ["team"] = new JsonObject { ["id"] = "T0TEAM", ["domain"] = "example" },
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = "T0TEAM" },
            ["api_app_id"] = "A0APP",
            ["token"] = "deprecated",
            ["trigger_id"] = triggerId,
            ["view"] = new JsonObject
            {
                ["id"] = "V0MODAL",
                ["type"] = "modal",
                ["callback_id"] = (string?)openedView["callback_id"],
                ["private_metadata"] = (string?)openedView["private_metadata"],
                ["state"] = new JsonObject { ["values"] = values },
                ["hash"] = "156772938.1827394",
            },
            ["response_urls"] = new JsonArray(),
        };
    }
}
