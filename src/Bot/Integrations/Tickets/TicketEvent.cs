namespace DrBot.Bot.Integrations.Tickets;

public enum TicketAction { Create, Resolve }

/// <summary>One ticket call as stored in the outbox (channel "tickets"); the incident id is its idempotency key.</summary>
public sealed record TicketEvent(TicketAction Action, string IncidentId, string Severity, string Summary, string Description);

/// <summary>The ticket an incident got (store value <c>ticket:&lt;incident id&gt;</c>).</summary>
public sealed record TicketReference(string Key, string Id, string? Link);
