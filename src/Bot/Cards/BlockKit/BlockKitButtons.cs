using System.Text.Json;
using System.Text.Json.Nodes;
using static DrBot.Bot.Cards.BlockKit.BlockKitLimits;

namespace DrBot.Bot.Cards.BlockKit;

/// <summary>
/// Buttons in <c>actions</c> blocks of at most 25. Each button's <c>value</c> is the compact JSON of
/// its data plus its verb (what comes back on a click); <c>action_id</c> is verb + index, unique in
/// the message.
/// </summary>
public static class BlockKitButtons
{
    public const string VerbKey = "verb";

    public static IEnumerable<JsonObject> Render(IReadOnlyList<CardButton> buttons)
    {
        var index = 0;
        var blockNumber = 0;
        foreach (var group in buttons.Chunk(ActionsElements))
        {
            var elements = new JsonArray();
            foreach (var button in group)
            {
                elements.Add(Button(button, index++));
            }
            blockNumber++;
            yield return new JsonObject
            {
                ["type"] = "actions",
                ["block_id"] = blockNumber == 1 ? "actions" : $"actions-{blockNumber}",
                ["elements"] = elements,
            };
        }
    }

    private static JsonObject Button(CardButton button, int index)
    {
        var json = new JsonObject
        {
            ["type"] = "button",
            ["text"] = BlockKitRenderer.PlainText(Truncate(button.Label, ButtonText)),
            ["action_id"] = $"{Truncate(button.Verb, ActionId - 12)}-{index}",
            ["value"] = Value(button.Verb, button.Data),
        };
        var style = StyleName(button.Style);
        if (style is not null)
        {
            json["style"] = style;
        }
        if (button.Confirm is { } confirm)
        {
            var dialog = new JsonObject
            {
                ["title"] = BlockKitRenderer.PlainText(Truncate(confirm.Title, ConfirmTitle)),
                ["text"] = BlockKitRenderer.PlainText(Truncate(confirm.Text, ConfirmText)),
                ["confirm"] = BlockKitRenderer.PlainText(Truncate(confirm.ConfirmLabel, ConfirmButton)),
                ["deny"] = BlockKitRenderer.PlainText(Truncate(confirm.DenyLabel, ConfirmButton)),
            };
            if (style is not null)
            {
                dialog["style"] = style;
            }
            json["confirm"] = dialog;
        }
        return json;
    }

    private static string? StyleName(ButtonStyle style) => style switch
    {
        ButtonStyle.Positive => "primary",
        ButtonStyle.Destructive => "danger",
        _ => null,
    };

    /// <summary>
    /// The verb first, then the data entries in order while they fit in 2000 characters: a value is
    /// never cut mid-JSON, and run id, step id and version come first in the cards that matter.
    /// </summary>
    public static string Value(string verb, IReadOnlyDictionary<string, string> data)
    {
        var value = new JsonObject { [VerbKey] = verb };
        var text = value.ToJsonString();
        foreach (var (key, item) in data)
        {
            if (key == VerbKey)
            {
                continue;
            }
            value[key] = item;
            var candidate = value.ToJsonString();
            if (candidate.Length > ButtonValue)
            {
                value.Remove(key);
                continue;
            }
            text = candidate;
        }
        return text;
    }

    /// <summary>Reads a button value back: the verb and the data (null when it is not ours).</summary>
    public static (string Verb, Dictionary<string, string> Data)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        try
        {
            // Duplicate keys are refused while parsing; left in, they throw when a property is read.
            if (JsonNode.Parse(value, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) is not JsonObject json
                || json[VerbKey]?.GetValueKind() != JsonValueKind.String)
            {
                return null;
            }
            var data = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, node) in json)
            {
                if (key != VerbKey && node is JsonValue item)
                {
                    data[key] = item.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : item.ToJsonString();
                }
            }
            return (json[VerbKey]!.GetValue<string>(), data);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
