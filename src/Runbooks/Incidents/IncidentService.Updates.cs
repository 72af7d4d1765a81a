using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Incidents;

public sealed partial class IncidentService
{
    /// <summary>Names the incident commander: a person of the roster.</summary>
    public Task<IncidentResult> SetCommanderAsync(string incidentId, string personName, Actor who, CancellationToken cancellationToken)
    {
        var person = _options.People.Keys.FirstOrDefault(p => string.Equals(p, personName?.Trim().TrimStart('@'), StringComparison.OrdinalIgnoreCase));
        if (person is null)
        {
            var known = _options.People.Count == 0 ? "the roster is empty" : $"valid: {string.Join(", ", _options.People.Keys)}";
            return Task.FromResult(IncidentResult.Refused($"'{personName}' is not in the roster ({known})."));
        }
        return ChangeAsync(incidentId, who, "incident.commander", (incident, _) =>
        {
            if (!incident.IsOpen)
            {
                return Change.Refuse($"{incident.Id} is {IncidentTransitions.Name(incident.State)}: a commander is named only while it is open.");
            }
            if (string.Equals(incident.Commander, person, StringComparison.OrdinalIgnoreCase))
            {
                return Change.Nothing($"{person} is already the commander of {incident.Id}.");
            }
            var previous = incident.Commander;
            incident.Commander = person;
            return Change.Apply("commander", previous is null ? $"{person} is the incident commander (named by {who})." : $"{person} takes over as commander from {previous} (named by {who}).");
        }, cancellationToken);
    }

    /// <summary>A human status update: resets the reminder to the commander.</summary>
    public Task<IncidentResult> AddHumanUpdateAsync(string incidentId, string text, Actor who, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Task.FromResult(IncidentResult.Refused("An update needs some text saying what is happening."));
        }
        return ChangeAsync(incidentId, who, "incident.update", (incident, now) =>
        {
            incident.LastHumanUpdateAt = now;
            return Change.Apply("update", text.Trim());
        }, cancellationToken);
    }

    public Task<IncidentResult> ChangeSeverityAsync(string incidentId, string severity, Actor who, CancellationToken cancellationToken)
    {
        var normalized = Severities.Normalize(severity);
        if (normalized is null)
        {
            return Task.FromResult(IncidentResult.Refused($"Unknown severity '{severity}' ({Severities.ValidList})."));
        }
        return ChangeAsync(incidentId, who, "incident.severity", (incident, now) =>
        {
            if (incident.Severity == normalized)
            {
                return Change.Nothing($"{incident.Id} is already {normalized}.");
            }
            var previous = incident.Severity;
            incident.Severity = normalized;
            if (incident.AcknowledgedAt is null && incident.IsOpen)
            {
                var (target, _) = Severities.Escalation(normalized);
                incident.NextEscalationAt = target is null ? null : now + Severities.ResponseTime(normalized);
            }
            return Change.Apply("severity", $"Severity changed from {previous} to {normalized} by {who}.");
        }, cancellationToken);
    }

    public Task<IncidentResult> LinkRunAsync(string incidentId, string runId, Actor who, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident.run-linked", (incident, _) =>
        {
            if (incident.RunIds.Contains(runId, StringComparer.OrdinalIgnoreCase))
            {
                return Change.Nothing($"Run {runId} is already linked to {incident.Id}.");
            }
            incident.RunIds.Add(runId);
            return Change.Apply("run", $"Runbook run {runId} linked.");
        }, cancellationToken);

    public Task<IncidentResult> LinkAlertAsync(string incidentId, string alertId, Actor who, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident.alert-linked", (incident, _) =>
        {
            if (incident.AlertIds.Contains(alertId, StringComparer.OrdinalIgnoreCase))
            {
                return Change.Nothing($"Alert {alertId} is already linked to {incident.Id}.");
            }
            incident.AlertIds.Add(alertId);
            return Change.Apply("alert", $"Alert {alertId} linked.");
        }, cancellationToken);

    /// <summary>Any other event worth keeping on the timeline (a runbook step, a status post, an escalation).</summary>
    public Task<IncidentResult> AddTimelineAsync(string incidentId, string kind, string text, Actor who, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident." + kind, (_, _) => Change.Apply(kind, text), cancellationToken);

    /// <summary>A failover finished: records when (for the measured RTO) and the measured data-loss window (RPO).</summary>
    public Task<IncidentResult> RecordFailoverAsync(string incidentId, DateTimeOffset completedAt, TimeSpan? measuredRpo, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, Actor.System("failover"), "incident.failover-completed", (incident, _) =>
        {
            incident.FailoverCompletedAt = completedAt;
            incident.MeasuredRpo = measuredRpo ?? incident.MeasuredRpo;
            var metrics = Tiers.Measure(incident, completedAt);
            var rto = $"RTO {Format(metrics.MeasuredRto)} (target {Format(metrics.RtoTarget)}, {(metrics.RtoMet == true ? "met" : "missed")})";
            var rpo = metrics.MeasuredRpo is null
                ? "RPO not measured"
                : $"RPO {Format(metrics.MeasuredRpo)} (target {Format(metrics.RpoTarget)}, {(metrics.RpoMet == true ? "met" : "missed")})";
            return Change.Apply("failover", $"Failover completed: {rto}; {rpo}.");
        }, cancellationToken);

    /// <summary>
    /// A monitor detected the failure: keeps the earliest known start of the failure and puts the
    /// time to detect (from that start to <paramref name="detectedAt"/>) on the timeline. An incident
    /// opened by hand earlier keeps its own detection time (people noticed first).
    /// </summary>
    public Task<IncidentResult> RecordDetectionAsync(string incidentId, DateTimeOffset failureStartedAt, DateTimeOffset detectedAt, string how, Actor who, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident.detected", (incident, _) =>
        {
            if (incident.FailureStartedAt is null || failureStartedAt < incident.FailureStartedAt)
            {
                incident.FailureStartedAt = failureStartedAt;
            }
            if (incident.DetectedAt is null || detectedAt < incident.DetectedAt)
            {
                incident.DetectedAt = detectedAt;
            }
            var ttd = detectedAt - failureStartedAt;
            return Change.Apply("detected", $"Detected by {who.DisplayName}: {how}; failing since {failureStartedAt:HH:mm:ss} UTC, detected {detectedAt:HH:mm:ss} UTC (time to detect {Format(ttd)}).");
        }, cancellationToken);

    /// <summary>The status scheduler posted: the next post is due at <paramref name="nextAt"/>.</summary>
    public Task<IncidentResult> RecordStatusPostAsync(string incidentId, DateTimeOffset? nextAt, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, Actor.System("status updates"), "incident.status-posted", (incident, _) =>
        {
            incident.NextStatusPostAt = incident.IsOpen ? nextAt : null;
            return Change.Apply("status-post", nextAt is null ? "Status posted." : $"Status posted; next at {nextAt:HH:mm} UTC.");
        }, cancellationToken);

    /// <summary>The escalation scheduler paged <paramref name="target"/>: one level up; the next escalation is due at <paramref name="nextAt"/>.</summary>
    public Task<IncidentResult> RecordEscalationAsync(string incidentId, string target, DateTimeOffset? nextAt, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, Actor.System("escalation"), "incident.escalated", (incident, _) =>
        {
            incident.EscalationLevel++;
            incident.NextEscalationAt = nextAt;
            return Change.Apply("escalation", $"Escalated to {target} (level {incident.EscalationLevel}): nobody acknowledged within the response time.");
        }, cancellationToken);

    public Task<IncidentResult> SetWarRoomAsync(string incidentId, string warRoom, Actor who, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident.war-room", (incident, _) =>
        {
            if (incident.WarRoom == warRoom)
            {
                return Change.Nothing($"{incident.Id} already has war room {warRoom}.");
            }
            incident.WarRoom = warRoom;
            return Change.Apply("war-room", $"War room opened: {warRoom}.");
        }, cancellationToken);

    public Task<IncidentResult> SetTicketAsync(string incidentId, string ticket, Actor who, CancellationToken cancellationToken) =>
        ChangeAsync(incidentId, who, "incident.ticket", (incident, _) =>
        {
            if (incident.Ticket == ticket)
            {
                return Change.Nothing($"{incident.Id} already has ticket {ticket}.");
            }
            incident.Ticket = ticket;
            return Change.Apply("ticket", $"Ticket opened: {ticket}.");
        }, cancellationToken);

    public Task<Incident?> GetAsync(string incidentId, CancellationToken cancellationToken) =>
        _store.GetIncidentAsync(incidentId, cancellationToken);

    public Task<IReadOnlyList<Incident>> ListOpenAsync(CancellationToken cancellationToken) =>
        _store.ListIncidentsAsync(openOnly: true, cancellationToken);

    /// <summary>Every incident, open and closed (the status page's history, post-mortem lists).</summary>
    public Task<IReadOnlyList<Incident>> ListAllAsync(CancellationToken cancellationToken) =>
        _store.ListIncidentsAsync(openOnly: false, cancellationToken);

    /// <summary>The most recently opened open incident of a region (alerts and runbooks attach to it rather than opening another).</summary>
    public async Task<Incident?> FindOpenForRegionAsync(string region, CancellationToken cancellationToken) =>
        (await ListOpenAsync(cancellationToken))
            .Where(i => string.Equals(i.Region, region, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(i => i.OpenedAt)
            .FirstOrDefault();

    private static string Format(TimeSpan? duration) => duration switch
    {
        null => "n/a",
        { TotalHours: >= 1 } d => $"{(int)d.TotalHours} h {d.Minutes:00} min",
        { TotalMinutes: >= 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds:00} s",
        { } d => $"{d.TotalSeconds:0} s",
    };
}
