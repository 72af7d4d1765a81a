using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DrBot.Bot.Cards.BlockKit;

namespace DrBot.Bot.Channels.Slack;

/// <summary>A parsed <c>block_actions</c> click: who, where, which button and the card's inputs.</summary>
public sealed record SlackClick(
    string UserId,
    string UserName,
    string ChannelId,
    string? MessageTs,
    string? ThreadTs,
    string? ResponseUrl,
    string ActionTs,
    CardAction Action,
    string? TriggerId = null);

/// <summary>A parsed Events API delivery.</summary>
public sealed record SlackEvent(string Type, string? EventId, string? Challenge, SlackMention? Mention);

public sealed record SlackMention(string UserId, string ChannelId, string Text, string? ThreadTs);

/// <summary>Turns Slack's JSON payloads into DrBot's terms. Returns null for anything malformed or not ours.</summary>
public static partial class SlackInbound
{
    /// <summary>A <c>block_actions</c> payload: the first action that carries a DrBot button value.</summary>
    public static SlackClick? ParseClick(string payload)
    {
        var json = ParseObject(payload);
        if (json is null || Str(json, "type") != "block_actions")
        {
            return null;
        }
        var userId = Str(json["user"], "id");
        var channelId = Str(json["container"], "channel_id") ?? Str(json["channel"], "id");
        if (userId is null || channelId is null || json["actions"] is not JsonArray actions)
        {
            return null;
        }
        foreach (var action in actions.OfType<JsonObject>())
        {
            if (BlockKitButtons.Parse(Str(action, "value")) is not var (verb, data))
            {
                continue;
            }
            // The card's inputs (block_id = input id) come with the click; the button's own data wins on a clash.
            foreach (var (inputId, value) in InputValues(json["state"]))
            {
                data.TryAdd(inputId, value);
            }
            var messageTs = Str(json["container"], "message_ts") ?? Str(json["message"], "ts");
            return new SlackClick(
                userId,
                Str(json["user"], "username") ?? Str(json["user"], "name") ?? userId,
                channelId,
                messageTs,
                Str(json["container"], "thread_ts") ?? Str(json["message"], "thread_ts"),
                Str(json, "response_url"),
                Str(action, "action_ts") ?? Str(json, "trigger_id") ?? messageTs ?? "",
                new CardAction(verb, data, messageTs),
                Str(json, "trigger_id"));
        }
        return null;
    }

    /// <summary><c>state.values</c>: <c>{block_id: {action_id: {type, value}}}</c> → input id → text, empty ones left out.</summary>
    private static IEnumerable<(string, string)> InputValues(JsonNode? state)
    {
        if (state?["values"] is not JsonObject blocks)
        {
            yield break;
        }
        foreach (var (blockId, actions) in blocks)
        {
            if (actions is not JsonObject byAction)
            {
                continue;
            }
            foreach (var (_, element) in byAction)
            {
                var value = Str(element, "value");
                if (!string.IsNullOrWhiteSpace(value))
                {
                    yield return (blockId, value);
                }
            }
        }
    }

    public static SlackEvent? ParseEvent(string body)
    {
        var json = ParseObject(body);
        var type = json is null ? null : Str(json, "type");
        if (json is null || type is null)
        {
            return null;
        }
        if (type == "url_verification")
        {
            return new SlackEvent(type, null, Str(json, "challenge"), null);
        }
        SlackMention? mention = null;
        var inner = json["event"];
        // Mentions by bots (including DrBot's own posts) are ignored: no loops.
        if (Str(inner, "type") == "app_mention" && Str(inner, "bot_id") is null
            && Str(inner, "user") is { } user && Str(inner, "channel") is { } channel)
        {
            mention = new SlackMention(user, channel, StripMentions(Str(inner, "text") ?? ""), Str(inner, "thread_ts"));
        }
        return new SlackEvent(type, Str(json, "event_id"), null, mention);
    }

    /// <summary><c>&lt;@U123&gt; failover west-us</c> → <c>failover west-us</c>; Slack's escapes undone.</summary>
    public static string StripMentions(string text)
    {
        var stripped = LeadingMentions().Replace(text, "").Trim();
        return stripped.Replace("&lt;", "<", StringComparison.Ordinal)
            .Replace("&gt;", ">", StringComparison.Ordinal)
            .Replace("&amp;", "&", StringComparison.Ordinal);
    }

    private static readonly JsonDocumentOptions NoDuplicateKeys = new() { AllowDuplicateProperties = false };

    private static JsonObject? ParseObject(string text)
    {
        try
        {
            // Duplicate keys are refused here, at any depth: left in, they throw later when a property is read.
            return JsonNode.Parse(text, documentOptions: NoDuplicateKeys) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Str(JsonNode? node, string name) =>
        node is JsonObject obj && obj[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;

    [GeneratedRegex(@"^(\s*<@[A-Z0-9]+(\|[^>]*)?>)+")]
    private static partial Regex LeadingMentions();
}
