using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Timers;

namespace DrBot.Runbooks.Incidents;

/// <summary>
/// The stored timers of an open incident: a status post every interval, and the escalation chain of
/// its severity (a reminder to the team when the response time passes first, then the escalation
/// target, up to <see cref="EscalationSteps.MaxLevel"/>). Pure: says which timer comes next.
/// </summary>
public static class IncidentSchedule
{
    public static string StatusTimerId(string incidentId) => $"status:{incidentId}";

    public static string EscalationTimerId(string incidentId) => $"escalation:{incidentId}";

    public static ScheduledTimer FirstStatusPost(Incident incident, TimeSpan interval) =>
        new(StatusTimerId(incident.Id), TimerKinds.StatusPost, incident.Id, incident.OpenedAt + interval);

    /// <summary>The next status post keeps the cadence from the due time (15, 30, 45 …), not from when the last one ran.</summary>
    public static ScheduledTimer NextStatusPost(ScheduledTimer fired, TimeSpan interval) =>
        fired with { DueAt = fired.DueAt + interval, LeaseOwner = null, LeaseUntil = null };

    public static ScheduledTimer? FirstEscalation(Incident incident, SeverityOptions severity)
    {
        // A response time shorter than the escalation delay (P1: 15 vs 30 min) first reminds the team.
        if (severity.ResponseTime is { } response && (severity.EscalationDelay is null || response < severity.EscalationDelay) && severity.EscalationTarget is not null)
        {
            return new ScheduledTimer(EscalationTimerId(incident.Id), TimerKinds.Escalation, incident.Id, incident.OpenedAt + response, EscalationSteps.ResponseBreached);
        }
        var delay = severity.EscalationDelay ?? severity.ResponseTime;
        return severity.EscalationTarget is not null && delay is { } d
            ? new ScheduledTimer(EscalationTimerId(incident.Id), TimerKinds.Escalation, incident.Id, incident.OpenedAt + d, EscalationSteps.Level(1))
            : null;
    }

    /// <summary>How long after opening (and between levels) the escalation target is paged.</summary>
    public static TimeSpan EscalationDelay(SeverityOptions severity) =>
        severity.EscalationDelay ?? severity.ResponseTime ?? TimeSpan.FromMinutes(30);

    /// <summary>The escalation timer after <paramref name="fired"/>, or null when the chain is at its last level.</summary>
    public static ScheduledTimer? NextEscalation(Incident incident, SeverityOptions severity, ScheduledTimer fired)
    {
        var delay = EscalationDelay(severity);
        if (fired.Payload == EscalationSteps.ResponseBreached)
        {
            return new ScheduledTimer(fired.Id, TimerKinds.Escalation, incident.Id, incident.OpenedAt + delay, EscalationSteps.Level(1));
        }
        var level = EscalationSteps.ParseLevel(fired.Payload) ?? 1;
        return level < EscalationSteps.MaxLevel
            ? new ScheduledTimer(fired.Id, TimerKinds.Escalation, incident.Id, fired.DueAt + delay, EscalationSteps.Level(level + 1))
            : null;
    }
}

/// <summary>The payloads of an incident's escalation timer.</summary>
public static class EscalationSteps
{
    public const string ResponseBreached = "response-breached";
    public const int MaxLevel = 3;

    public static string Level(int level) => $"level:{level}";

    public static int? ParseLevel(string? payload) =>
        payload is not null && payload.StartsWith("level:", StringComparison.Ordinal) && int.TryParse(payload.AsSpan(6), out var n) ? n : null;
}
