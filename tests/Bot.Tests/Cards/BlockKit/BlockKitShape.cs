using System.Text.Json;
using System.Text.Json.Nodes;

namespace DrBot.Bot.Tests.Cards.BlockKit;

/// <summary>
/// Slack's Block Kit shape rules, checked in C# (Slack publishes no JSON schema for messages):
/// block types and required parts, every size limit, unique block and action ids, a fallback text.
/// </summary>
public static class BlockKitShape
{
    private static readonly HashSet<string> BlockTypes = ["header", "section", "context", "actions", "input", "divider"];

    public static void AssertValid(JsonObject message)
    {
        var problems = Problems(message);
        Assert.True(problems.Count == 0, "Invalid Block Kit message:\n" + string.Join('\n', problems) + "\n" + message.ToJsonString());
    }

    public static List<string> Problems(JsonObject message)
    {
        var problems = new List<string>();
        if (Text(message["text"]) is not { Length: > 0 })
        {
            problems.Add("top-level text (the notification fallback) is missing");
        }
        if (message["blocks"] is not JsonArray blocks)
        {
            problems.Add("blocks is missing");
            return problems;
        }
        if (blocks.Count > 50)
        {
            problems.Add($"{blocks.Count} blocks (max 50)");
        }
        var blockIds = new HashSet<string>();
        var actionIds = new HashSet<string>();
        foreach (var (node, index) in blocks.Select((b, i) => (b, i)))
        {
            var where = $"blocks[{index}]";
            if (node is not JsonObject block || Text(block["type"]) is not { } type || !BlockTypes.Contains(type))
            {
                problems.Add($"{where}: unknown or missing type");
                continue;
            }
            if (Text(block["block_id"]) is { } blockId)
            {
                Check(blockId.Length <= 255, $"{where}.block_id longer than 255");
                Check(blockIds.Add(blockId), $"{where}.block_id '{blockId}' is not unique");
            }
            switch (type)
            {
                case "header":
                    TextObject(block["text"], $"{where}.text", 150, plainOnly: true);
                    break;
                case "section":
                    Check(block["text"] is not null || block["fields"] is not null, $"{where}: section needs text or fields");
                    if (block["text"] is not null)
                    {
                        TextObject(block["text"], $"{where}.text", 3000);
                    }
                    if (block["fields"] is JsonArray fields)
                    {
                        Check(fields.Count is >= 1 and <= 10, $"{where}.fields has {fields.Count} (1..10)");
                        for (var f = 0; f < fields.Count; f++)
                        {
                            TextObject(fields[f], $"{where}.fields[{f}]", 2000);
                        }
                    }
                    break;
                case "context":
                    var elements = block["elements"] as JsonArray;
                    Check(elements is { Count: >= 1 and <= 10 }, $"{where}.elements must hold 1..10");
                    for (var e = 0; e < (elements?.Count ?? 0); e++)
                    {
                        TextObject(elements![e], $"{where}.elements[{e}]", 3000);
                    }
                    break;
                case "actions":
                    var buttons = block["elements"] as JsonArray;
                    Check(buttons is { Count: >= 1 and <= 25 }, $"{where}.elements must hold 1..25");
                    for (var b = 0; b < (buttons?.Count ?? 0); b++)
                    {
                        Button(buttons![b] as JsonObject, $"{where}.elements[{b}]");
                    }
                    break;
                case "input":
                    TextObject(block["label"], $"{where}.label", 2000, plainOnly: true);
                    var element = block["element"] as JsonObject;
                    Check(Text(element?["type"]) == "plain_text_input", $"{where}.element must be a plain_text_input");
                    ActionId(element?["action_id"], $"{where}.element.action_id");
                    if (element?["placeholder"] is not null)
                    {
                        TextObject(element["placeholder"], $"{where}.element.placeholder", 150, plainOnly: true);
                    }
                    break;
            }
        }
        return problems;

        void Button(JsonObject? button, string where)
        {
            if (button is null || Text(button["type"]) != "button")
            {
                problems.Add($"{where}: not a button");
                return;
            }
            TextObject(button["text"], $"{where}.text", 75, plainOnly: true);
            ActionId(button["action_id"], $"{where}.action_id");
            if (Text(button["value"]) is { } value)
            {
                Check(value.Length <= 2000, $"{where}.value longer than 2000");
            }
            if (button["style"] is not null)
            {
                Check(Text(button["style"]) is "primary" or "danger", $"{where}.style must be primary or danger");
            }
            if (button["confirm"] is JsonObject confirm)
            {
                TextObject(confirm["title"], $"{where}.confirm.title", 100, plainOnly: true);
                TextObject(confirm["text"], $"{where}.confirm.text", 300);
                TextObject(confirm["confirm"], $"{where}.confirm.confirm", 30, plainOnly: true);
                TextObject(confirm["deny"], $"{where}.confirm.deny", 30, plainOnly: true);
            }
        }

        void ActionId(JsonNode? node, string where)
        {
            var id = Text(node);
            Check(id is { Length: >= 1 and <= 255 }, $"{where} must be 1..255 characters");
            Check(id is null || actionIds.Add(id), $"{where} '{id}' is not unique in the message");
        }

        void TextObject(JsonNode? node, string where, int max, bool plainOnly = false)
        {
            var type = Text(node?["type"]);
            Check(plainOnly ? type == "plain_text" : type is "plain_text" or "mrkdwn", $"{where}.type is '{type}'");
            var text = Text(node?["text"]);
            Check(text is { Length: >= 1 } && text.Length <= max, $"{where}.text must be 1..{max} characters (is {text?.Length})");
        }

        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
