using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.People;

/// <summary>
/// One person of the roster, with their user id on each chat platform by platform name (<c>slack</c>,
/// <c>teams</c>, …: the channel names), so a new platform needs no change here.
/// </summary>
public sealed record Person(
    string Name,
    string DisplayName,
    IReadOnlyList<string> Roles,
    IReadOnlyDictionary<string, string> PlatformIds)
{
    public const string Slack = "slack";
    public const string Teams = "teams";

    /// <summary>A person with a Slack user id and a Teams AAD object id (either may be missing).</summary>
    public static Person Of(string name, string displayName, IReadOnlyList<string> roles, string? slackUserId, string? teamsAadObjectId) =>
        new(name, displayName, roles, Ids((Slack, slackUserId), (Teams, teamsAadObjectId)));

    public bool HasRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);

    /// <summary>The person's user id on <paramref name="platform"/>, or null.</summary>
    public string? IdOn(string platform) => PlatformIds?.TryGetValue(platform, out var id) == true ? id : null;

    [System.Text.Json.Serialization.JsonIgnore]
    public string? SlackUserId => IdOn(Slack);

    [System.Text.Json.Serialization.JsonIgnore]
    public string? TeamsAadObjectId => IdOn(Teams);

    /// <summary>The ids that are given, by platform name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, string> Ids(params (string Platform, string? Id)[] ids) =>
        ids.Where(i => !string.IsNullOrWhiteSpace(i.Id)).ToDictionary(i => i.Platform, i => i.Id!.Trim(), StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// Who did something, as the engine and the audit log record it: the roster person when known,
/// the channel it came from, and the platform's own user id (kept even for unknown users).
/// </summary>
public sealed record Actor(string? PersonName, string DisplayName, string Channel, string PlatformUserId)
{
    public bool IsKnown => PersonName is not null;

    public static Actor System(string what) => new("drbot", what, "system", "drbot");

    public override string ToString() => PersonName ?? $"{DisplayName} ({Channel}:{PlatformUserId})";
}
