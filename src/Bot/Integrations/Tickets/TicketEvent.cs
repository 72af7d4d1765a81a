namespace DrBot.Bot.Integrations.Tickets;

public enum TicketAction { Create, Resolve }

/// <summary>
/// One ticket call as stored in the outbox (channel "tickets"). <see cref="Reference"/> marks the ticket in
/// the ticket system (Jira label, ServiceNow <c>correlation_id</c>) so a create repeated after a crash finds
/// it instead of opening a second one; calls queued before it existed use the incident id.
/// </summary>
public sealed record TicketEvent(TicketAction Action, string IncidentId, string Severity, string Summary, string Description, string? Reference = null)
{
    /// <summary>The incident id plus a hash of when it opened: unique even when a new store counts from INC-0001 again.</summary>
    public static string ReferenceFor(DrBot.Runbooks.Incidents.Incident incident) =>
        $"drbot-{incident.Id}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{incident.Id}|{incident.OpenedAt.UtcTicks}")))[..8]}";

    public string Marker => Reference ?? IncidentId;
}

/// <summary>The ticket an incident got (store value <c>ticket:&lt;incident id&gt;</c>).</summary>
public sealed record TicketReference(string Key, string Id, string? Link);
