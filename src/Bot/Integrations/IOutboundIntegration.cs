using DrBot.Bot.Channels;
using DrBot.Runbooks.Outbox;

namespace DrBot.Bot.Integrations;

/// <summary>
/// An outside service the bot calls (PagerDuty, Opsgenie, …). Its calls are outbox messages whose
/// channel is <see cref="Name"/> and whose payload is the integration's own JSON, so they are stored
/// before they are sent, delivered in order per service, and retried (429/5xx, network errors) until
/// delivered, exactly like chat posts. Delivery must be safe to repeat: each call carries the
/// service's idempotency key (PagerDuty <c>dedup_key</c>, Opsgenie <c>alias</c>).
/// </summary>
public interface IOutboundIntegration
{
    /// <summary>The outbox channel name ("pagerduty", "opsgenie").</summary>
    string Name { get; }

    Task<DeliveryResult> DeliverAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>Whether an optional integration is configured, for the one line the bot logs about it at start.</summary>
public interface IIntegrationStatus
{
    string Name { get; }

    /// <summary>The line logged at start: what is on, or what stays as before and which key turns it on.</summary>
    string Describe();
}
