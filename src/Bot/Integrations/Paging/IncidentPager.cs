using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DrBot.Bot.Alerts;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.Paging;

/// <summary>
/// Turns incident events into pages on the configured paging services, written to the outbox (one
/// message per service) so a paging outage delays a page but never loses it. With no service
/// configured it writes nothing and the chat mention stays the page.
/// </summary>
public sealed class IncidentPager(
    IEnumerable<IPagingService> services,
    IIdempotencyStore values,
    IOutboxStore outbox,
    OutboxSignal signal,
    IOptions<PagingOptions> paging,
    IOptions<DrBotOptions> options,
    TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private readonly List<IPagingService> _services = services.Where(s => s.IsConfigured).ToList();

    public bool Enabled => _services.Count > 0;

    public Task IncidentOpenedAsync(Incident incident, CancellationToken cancellationToken) =>
        Pages(incident) ? EnqueueAsync(Event(PageAction.Trigger, incident), cancellationToken) : Task.CompletedTask;

    public Task IncidentAcknowledgedAsync(Incident incident, string by, CancellationToken cancellationToken) =>
        Pages(incident) || Escalates(incident) ? EnqueueAsync(Event(PageAction.Acknowledge, incident) with { By = by }, cancellationToken) : Task.CompletedTask;

    public Task IncidentResolvedAsync(Incident incident, string by, CancellationToken cancellationToken) =>
        Pages(incident) || Escalates(incident) ? EnqueueAsync(Event(PageAction.Resolve, incident) with { By = by }, cancellationToken) : Task.CompletedTask;

    /// <summary>The severity matrix escalates: page the target role where a service has it configured.</summary>
    public Task EscalatedAsync(Incident incident, string role, int level, CancellationToken cancellationToken) =>
        EnqueueAsync(Event(PageAction.Escalate, incident) with
        {
            Target = role,
            Summary = $"{incident.Id} ({incident.Severity}) unacknowledged: escalated to {role} (level {level}): {incident.Title}",
        }, cancellationToken);

    /// <summary>
    /// An alert the strategy says pages on-call (replication lag, backup failures), or the resolution of
    /// one: the messages are committed with the alert batch. A resolve is sent only for a group that was
    /// paged (a marker in the store), so warnings resolving do not send resolves for pages never made.
    /// </summary>
    public async Task<IReadOnlyList<OutboxMessage>> AlertMessagesAsync(string groupKey, NormalizedAlert alert, AlertDecision decision, CancellationToken cancellationToken)
    {
        if (!Enabled)
            return [];
        var dedup = AlertDedupKey(groupKey);
        var marker = $"paging:alert:{dedup}";
        var resolved = alert.Status == AlertStatus.Resolved;
        if (resolved && await values.GetValueAsync(marker, cancellationToken) != "open")
            return [];
        await values.SetValueAsync(marker, resolved ? "resolved" : "open", cancellationToken);
        var page = new PageEvent(resolved ? PageAction.Resolve : PageAction.Trigger, dedup,
            $"{alert.Name}{(alert.Region is null ? "" : $" in {alert.Region}")}: {decision.Reason}", decision.Severity, Region: alert.Region,
            Details: new Dictionary<string, string> { ["alert_group"] = groupKey, ["rule"] = decision.Rule ?? "", ["summary"] = alert.Summary });
        return Messages(page).ToList();
    }

    /// <summary>Alert group keys can be long and full of quotes; the services want a short stable key.</summary>
    public static string AlertDedupKey(string groupKey) =>
        "alert-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(groupKey)))[..32];

    public IEnumerable<OutboxMessage> Messages(PageEvent page)
    {
        var payload = JsonSerializer.Serialize(page, Json);
        var now = time.GetUtcNow();
        return _services
            .Where(s => page.Action != PageAction.Escalate || s.CanEscalateTo(page.Target!))
            .Select(s => new OutboxMessage(0, s.Name, "", OutboxOperation.Post, $"page:{page.Action}:{page.DedupKey}:{page.Target}:{now.UtcTicks}", payload, now))
            .ToList();
    }

    private async Task EnqueueAsync(PageEvent page, CancellationToken cancellationToken)
    {
        var any = false;
        foreach (var message in Messages(page))
        {
            await outbox.EnqueueAsync(message, cancellationToken);
            any = true;
        }
        if (any)
            signal.Notify();
    }

    private bool Pages(Incident incident) => paging.Value.Severities.Contains(incident.Severity, StringComparer.OrdinalIgnoreCase);

    private bool Escalates(Incident incident) =>
        options.Value.Severities.GetValueOrDefault(incident.Severity)?.EscalationTarget is { } role && _services.Any(s => s.CanEscalateTo(role));

    private PageEvent Event(PageAction action, Incident incident) =>
        new(action, incident.Id, $"{incident.Id} ({incident.Severity}): {incident.Title}", incident.Severity,
            Link: paging.Value.LinkFor(incident.Id), Region: incident.Region,
            Details: new Dictionary<string, string> { ["incident"] = incident.Id, ["severity"] = incident.Severity, ["tier"] = incident.Tier });
}
