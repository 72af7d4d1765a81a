using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Incidents;

/// <summary>What opening an incident needs. Severity P1..P4; region, services and tier are optional.</summary>
public sealed record OpenIncidentRequest(
    string Severity,
    string Title,
    Actor OpenedBy,
    string? Region = null,
    IReadOnlyList<string>? Services = null,
    string? Tier = null,
    DateTimeOffset? FailureStartedAt = null);

/// <summary>The answer of an incident operation: done, or refused with a message saying what is valid.</summary>
public sealed record IncidentResult(bool Ok, string Message, Incident? Incident)
{
    public static IncidentResult Done(Incident incident, string message) => new(true, message, incident);
    public static IncidentResult Refused(string message, Incident? incident = null) => new(false, message, incident);
}

/// <summary>The lifecycle: open → acknowledged → mitigating → resolved → closed, with the shortcuts an incident really takes.</summary>
public static class IncidentTransitions
{
    private static readonly Dictionary<IncidentState, IncidentState[]> Allowed = new()
    {
        [IncidentState.Open] = [IncidentState.Acknowledged, IncidentState.Mitigating, IncidentState.Resolved],
        [IncidentState.Acknowledged] = [IncidentState.Mitigating, IncidentState.Resolved],
        [IncidentState.Mitigating] = [IncidentState.Resolved],
        // A resolved incident that flares up again goes back to mitigation.
        [IncidentState.Resolved] = [IncidentState.Closed, IncidentState.Mitigating],
        [IncidentState.Closed] = [],
    };

    public static IReadOnlyList<IncidentState> From(IncidentState state) => Allowed[state];

    public static bool IsAllowed(IncidentState from, IncidentState to) => Allowed[from].Contains(to);

    public static string Name(IncidentState state) => state.ToString().ToLowerInvariant();

    /// <summary>"INC-0001 is open: it cannot go to closed. From open it can go to: acknowledged, mitigating, resolved."</summary>
    public static string Refusal(Incident incident, IncidentState to)
    {
        var next = From(incident.State);
        var options = next.Count == 0 ? "nothing (it is final)" : string.Join(", ", next.Select(Name));
        return $"{incident.Id} is {Name(incident.State)}: it cannot go to {Name(to)}. From {Name(incident.State)} it can go to: {options}.";
    }
}
