using System.Text;

namespace DrBot.Bot.Channels.Teams.Graph;

/// <summary>
/// A war-room channel as the bot keeps it (store value <c>teams:war-room:&lt;incident id&gt;</c>): saved
/// as soon as the channel exists, so a retry or a restart reuses it; <see cref="ActivityId"/> is set
/// once the incident card is posted in it.
/// </summary>
public sealed record TeamsWarRoomRecord(string ChannelId, string Name, string? ChannelUrl, string? MeetingUrl, IReadOnlyList<string> Notes,
    string? ConversationId = null, string? ActivityId = null)
{
    /// <summary>How the incident card names the war room: the channel and its links.</summary>
    public string Describe()
    {
        var text = new StringBuilder($"Teams channel \"{Name}\"");
        if (ChannelUrl is not null)
            text.Append(": ").Append(ChannelUrl);
        if (MeetingUrl is not null)
            text.Append(" · meeting: ").Append(MeetingUrl);
        return text.ToString();
    }
}

/// <summary>
/// What Graph gave for a war room: the channel, or why the war room stays a thread (not configured,
/// a permission missing, Graph down too long), or that Graph is worth another try soon.
/// </summary>
public sealed record GraphWarRoomOutcome(TeamsWarRoomRecord? Room, string? FallbackReason, string? RetryReason)
{
    public static GraphWarRoomOutcome Channel(TeamsWarRoomRecord room) => new(room, null, null);
    public static GraphWarRoomOutcome Thread(string reason) => new(null, reason, null);
    public static GraphWarRoomOutcome Retry(string reason) => new(null, null, reason);
}

/// <summary>Teams channel names: at most 50 characters, none of <c>~ # % &amp; * { } + / \ : &lt; &gt; ? | ' " ,</c>, no run of dots, no leading '_' or '.', no trailing '.'.</summary>
public static partial class TeamsChannelName
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\.{2,}")]
    private static partial System.Text.RegularExpressions.Regex RunOfDots();

    public const int MaxLength = 50;
    private const string Forbidden = "~#%&*{}+/\\:<>?|'\",";

    public static string For(string incidentId, string title)
    {
        var text = title.StartsWith(incidentId, StringComparison.OrdinalIgnoreCase) ? title : $"{incidentId} {title}";
        var cleaned = new StringBuilder(text.Length);
        foreach (var c in text)
            cleaned.Append(Forbidden.Contains(c, StringComparison.Ordinal) || char.IsControl(c) ? ' ' : c);
        var name = string.Join(' ', cleaned.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        name = RunOfDots().Replace(name, ".");
        if (name.Length > MaxLength)
            name = name[..MaxLength];
        name = name.TrimStart('_', '.', ' ').TrimEnd('.', ' ');
        return name.Length == 0 ? incidentId : name;
    }
}
