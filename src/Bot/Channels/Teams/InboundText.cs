using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DrBot.Bot.Channels.Teams;

/// <summary>Reads what a person typed or clicked out of an inbound activity.</summary>
public static partial class InboundText
{
    /// <summary>
    /// The command text without the bot's own <c>&lt;at&gt;DrBot&lt;/at&gt;</c> mention (and without a
    /// leading slash, so <c>@DrBot failover west-us</c> and <c>/failover west-us</c> read the same);
    /// other people's mentions become <c>@Name</c>.
    /// </summary>
    public static string CommandText(Activity activity)
    {
        var text = activity.Text ?? "";
        var botId = activity.Recipient?.Id;
        foreach (var mention in activity.Entities ?? [])
        {
            if (mention.Type == "mention" && mention.Text is { Length: > 0 } span && mention.Mentioned?.Id is { } id && id == botId)
            {
                text = text.Replace(span, " ", StringComparison.Ordinal);
            }
        }

        // A leading mention is the bot even when the entity is missing; later ones are people.
        text = LeadingMention().Replace(text, " ");
        text = AnyMention().Replace(text, m => "@" + m.Groups[1].Value.Trim());
        text = Whitespace().Replace(WebUtility.HtmlDecode(text), " ").Trim();
        return text.StartsWith('/') ? text[1..].TrimStart() : text;
    }

    /// <summary>A JSON object's properties as strings (strings as they are, anything else as its JSON text).</summary>
    public static Dictionary<string, string> Flatten(JsonElement element, params string[] skip)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind != JsonValueKind.Object)
        {
            return data;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (skip.Contains(property.Name, StringComparer.Ordinal) || property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            data[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }

        return data;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^\s*<at>[^<]*</at>", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingMention();

    [GeneratedRegex(@"<at>([^<]*)</at>", RegexOptions.IgnoreCase)]
    private static partial Regex AnyMention();
}
