using System.Text;

namespace DrBot.Bot.Channels.Slack;

/// <summary>War-room channel names: <c>inc-0001-&lt;title slug&gt;</c>, lowercase letters, digits, '-' and '_', at most 80 characters.</summary>
public static class SlackWarRoomName
{
    public const int MaxLength = 80;

    public static string For(string incidentId, string title)
    {
        var id = Slug(incidentId);
        if (!id.StartsWith("inc", StringComparison.Ordinal))
        {
            id = id.Length == 0 ? "inc" : $"inc-{id}";
        }
        var name = Slug($"{id}-{title}");
        return Trim(name, MaxLength);
    }

    public static string WithSuffix(string name, int number)
    {
        var suffix = $"-{number}";
        return Trim(name, MaxLength - suffix.Length) + suffix;
    }

    private static string Trim(string name, int max) => name.Length <= max ? name : name[..max].TrimEnd('-');

    private static string Slug(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            var keep = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';
            if (keep)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        return builder.ToString().Trim('-');
    }
}
