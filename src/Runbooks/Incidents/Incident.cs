namespace DrBot.Runbooks.Incidents;

public enum IncidentState { Open, Acknowledged, Mitigating, Resolved, Closed }

/// <summary>
/// An incident as stored. Mutable by design: the incident service loads, changes and saves it
/// (one writer per incident at a time), and every change adds a timeline event.
/// </summary>
public sealed class Incident
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>P1..P4.</summary>
    public string Severity { get; set; } = "";
    public IncidentState State { get; set; }
    public string? Commander { get; set; }
    public string? Region { get; set; }
    public List<string> Services { get; set; } = [];
    /// <summary>critical, important or non-critical: the tier whose RTO/RPO the incident is measured against.</summary>
    public string Tier { get; set; } = "critical";
    public string OpenedBy { get; set; } = "";
    public DateTimeOffset OpenedAt { get; set; }
    /// <summary>When the failure began (first failed probe or alert start), for time to detect.</summary>
    public DateTimeOffset? FailureStartedAt { get; set; }
    public DateTimeOffset? DetectedAt { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? FailoverCompletedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>Measured data-loss window of the failover, when a runbook measured it.</summary>
    public TimeSpan? MeasuredRpo { get; set; }
    public DateTimeOffset? LastHumanUpdateAt { get; set; }
    public DateTimeOffset? NextStatusPostAt { get; set; }
    public DateTimeOffset? NextEscalationAt { get; set; }
    /// <summary>How many escalation steps have fired.</summary>
    public int EscalationLevel { get; set; }
    public string? WarRoom { get; set; }
    /// <summary>The ticket opened for it in the ticket system (key and link), when one is configured.</summary>
    public string? Ticket { get; set; }
    public List<string> AlertIds { get; set; } = [];
    public List<string> RunIds { get; set; } = [];
    public List<TimelineEvent> Timeline { get; set; } = [];
    /// <summary>Grows with every change saved through the incident service; several replicas update optimistically on it.</summary>
    public int Version { get; set; }

    public bool IsOpen => State is IncidentState.Open or IncidentState.Acknowledged or IncidentState.Mitigating;
}

public sealed record TimelineEvent(DateTimeOffset At, string Kind, string Text, string? Actor);
