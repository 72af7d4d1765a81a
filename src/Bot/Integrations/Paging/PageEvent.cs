namespace DrBot.Bot.Integrations.Paging;

public enum PageAction { Trigger, Acknowledge, Resolve, Escalate }

/// <summary>
/// One paging call as stored in the outbox (the payload of a "pagerduty" or "opsgenie" message).
/// <see cref="DedupKey"/> is the incident id (or a stable key of an alert group): PagerDuty's
/// <c>dedup_key</c>, Opsgenie's <c>alias</c>, so a repeated call changes nothing.
/// <see cref="Target"/> is the escalation role (Escalate only). <see cref="Severity"/> is P1..P4.
/// </summary>
public sealed record PageEvent(
    PageAction Action,
    string DedupKey,
    string Summary,
    string Severity,
    string? Target = null,
    string? Link = null,
    string? Region = null,
    string? By = null,
    IReadOnlyDictionary<string, string>? Details = null);

/// <summary>A paging service the bot pages through, when configured.</summary>
public interface IPagingService : IOutboundIntegration
{
    bool IsConfigured { get; }

    /// <summary>Whether an escalation role (cto, engineering-lead) has a target configured on this service.</summary>
    bool CanEscalateTo(string role);
}
