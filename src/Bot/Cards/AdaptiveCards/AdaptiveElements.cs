using System.Text.Json.Nodes;

namespace DrBot.Bot.Cards.AdaptiveCards;

/// <summary>Small factories for the Adaptive Card 1.5 elements DrBot uses, so the JSON shape lives in one place.</summary>
internal static class AdaptiveElements
{
    public static JsonObject Text(string text, bool subtle = false, string? size = null, string? weight = null)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (subtle)
        {
            block["isSubtle"] = true;
        }

        if (size is not null)
        {
            block["size"] = size;
        }

        if (weight is not null)
        {
            block["weight"] = weight;
        }

        return block;
    }

    public static JsonObject Container(string style, params JsonNode[] items) => new()
    {
        ["type"] = "Container",
        ["style"] = style,
        ["bleed"] = true,
        ["items"] = new JsonArray(items),
    };

    public static JsonObject FactSet(IEnumerable<(string Title, string Value)> facts)
    {
        var list = new JsonArray();
        foreach (var (title, value) in facts)
        {
            list.Add(new JsonObject { ["title"] = title, ["value"] = value });
        }

        return new JsonObject { ["type"] = "FactSet", ["facts"] = list };
    }

    public static JsonObject Column(string width, params JsonNode[] items) => new()
    {
        ["type"] = "Column",
        ["width"] = width,
        ["items"] = new JsonArray(items),
    };

    public static JsonObject ColumnSet(params JsonNode[] columns) => new()
    {
        ["type"] = "ColumnSet",
        ["spacing"] = "Small",
        ["columns"] = new JsonArray(columns),
    };

    public static JsonObject TextInput(CardInput input) => new()
    {
        ["type"] = "Input.Text",
        ["id"] = input.Id,
        ["label"] = input.Label,
        ["placeholder"] = input.Placeholder,
        ["isMultiline"] = input.Multiline,
    };

    /// <summary>The data an action sends: the button's own data plus its verb, so an Action.Submit fallback still says what to do.</summary>
    public static JsonObject ActionData(string verb, IReadOnlyDictionary<string, string> data)
    {
        var json = new JsonObject();
        foreach (var (key, value) in data)
        {
            json[key] = value;
        }

        json["verb"] = verb;
        return json;
    }

    /// <summary>
    /// Action.Execute with an Action.Submit object as fallback: the 1.5 schema allows an action
    /// object or "drop" there, and older Teams clients then still send the data as a message.
    /// </summary>
    public static JsonObject ExecuteAction(CardButton button)
    {
        var action = new JsonObject
        {
            ["type"] = "Action.Execute",
            ["title"] = button.Label,
            ["verb"] = button.Verb,
            ["data"] = ActionData(button.Verb, button.Data),
        };
        var submit = new JsonObject
        {
            ["type"] = "Action.Submit",
            ["title"] = button.Label,
            ["data"] = ActionData(button.Verb, button.Data),
        };
        var style = StyleOf(button.Style);
        if (style is not null)
        {
            action["style"] = style;
            submit["style"] = style;
        }

        action["fallback"] = submit;
        return action;
    }

    public static string ContainerStyleOf(CardTone tone) => tone switch
    {
        CardTone.Good => "good",
        CardTone.Warning => "warning",
        CardTone.Attention => "attention",
        CardTone.Accent => "accent",
        _ => "default",
    };

    private static string? StyleOf(ButtonStyle style) => style switch
    {
        ButtonStyle.Positive => "positive",
        ButtonStyle.Destructive => "destructive",
        _ => null,
    };
}
