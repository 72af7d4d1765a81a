using System.Text;
using System.Text.RegularExpressions;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Cards.BlockKit;

/// <summary>
/// Card text to Slack <c>mrkdwn</c>: the three control characters escaped (Slack reads <c>&lt;…&gt;</c>
/// as links and mentions), and the card's markdown-light <c>**bold**</c> turned into Slack's <c>*bold*</c>.
/// </summary>
public static partial class SlackMrkdwn
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Escaped, bold converted, and cut to <paramref name="max"/> without splitting an entity.</summary>
    public static string FromCardText(string text, int max)
    {
        var converted = DoubleStar().Replace(Escape(text), "*$1*");
        return TruncateEscaped(converted, max);
    }

    public static string Bold(string text, int max) => TruncateEscaped($"*{Escape(text)}*", max);

    /// <summary>A person as a Slack mention when their Slack id is known (so they are notified), else their name in bold.</summary>
    public static string Mention(Person person) =>
        string.IsNullOrWhiteSpace(person.SlackUserId) ? $"*{Escape(person.DisplayName)}*" : $"<@{person.SlackUserId}>";

    public static string TruncateEscaped(string text, int max)
    {
        var cut = BlockKitLimits.Truncate(text, max);
        if (cut.Length == text.Length)
        {
            return cut;
        }
        // Do not leave "&am…": drop a partial entity before the ellipsis.
        var body = cut[..^BlockKitLimits.Ellipsis.Length];
        var amp = body.LastIndexOf('&');
        if (amp >= 0 && body.IndexOf(';', amp) < 0 && body.Length - amp < 5)
        {
            body = body[..amp];
        }
        return body + BlockKitLimits.Ellipsis;
    }

    /// <summary>Joins lines into chunks of at most <paramref name="max"/> characters each (long single lines are cut).</summary>
    public static IReadOnlyList<string> ChunkLines(IEnumerable<string> lines, int max)
    {
        var chunks = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = TruncateEscaped(raw, max);
            if (current.Length > 0 && current.Length + 1 + line.Length > max)
            {
                chunks.Add(current.ToString());
                current.Clear();
            }
            if (current.Length > 0)
            {
                current.Append('\n');
            }
            current.Append(line);
        }
        if (current.Length > 0)
        {
            chunks.Add(current.ToString());
        }
        return chunks;
    }

    [GeneratedRegex(@"\*\*(.+?)\*\*", RegexOptions.Singleline)]
    private static partial Regex DoubleStar();
}
