using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.People;

/// <summary>One person of the roster, with their ids on each platform.</summary>
public sealed record Person(
    string Name,
    string DisplayName,
    IReadOnlyList<string> Roles,
    string? SlackUserId,
    string? TeamsAadObjectId)
{
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.OrdinalIgnoreCase);
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
