using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Integrations.Paging;
using DrBot.Runbooks.Outbox;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.PagerDuty;

/// <summary>
/// PagerDuty Events API v2: <c>POST /v2/enqueue</c> with the routing key in the body (no auth
/// header), <c>event_action</c> trigger/acknowledge/resolve and <c>dedup_key</c> = the incident id,
/// so PagerDuty folds repeats into one incident. An escalation triggers the same key on the
/// escalation role's own service; acknowledge and resolve go to every key the incident may be on.
/// </summary>
public sealed class PagerDutyIntegration(
    IHttpClientFactory clients,
    IOptions<PagerDutyOptions> options,
    IOptions<PagingOptions> paging,
    TimeProvider time) : IPagingService, IIntegrationStatus
{
    public const string ChannelName = "pagerduty";
    private const int MaxSummary = 1024;
    private PagerDutyOptions Options => options.Value;

    public string Name => ChannelName;

    public bool IsConfigured => Options.IsConfigured;

    public bool CanEscalateTo(string role) => Options.EscalationRoutingKeys.TryGetValue(role, out var key) && !string.IsNullOrWhiteSpace(key);

    public string Describe() => IsConfigured
        ? $"on: incidents of {string.Join("/", paging.Value.Severities)} and page_on_call alerts trigger PagerDuty Events API v2 at {Options.ApiBaseUrl}; escalation roles with a service: {(Options.EscalationRoutingKeys.Count == 0 ? "none" : string.Join(", ", Options.EscalationRoutingKeys.Keys))}"
        : "not configured (DrBot:PagerDuty:RoutingKey is empty): paging stays a chat mention";

    public async Task<DeliveryResult> DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var page = JsonSerializer.Deserialize<PageEvent>(message.Payload, IncidentPager.Json)
            ?? throw new InvalidOperationException($"outbox message {message.Sequence} has no page");
        if (!IsConfigured)
            return DeliveryResult.Permanent("PagerDuty is no longer configured (DrBot:PagerDuty:RoutingKey is empty)");
        DeliveryResult? last = null;
        foreach (var key in RoutingKeys(page))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Options.ApiBaseUrl, "v2/enqueue"))
            {
                Content = JsonContent.Create(Body(page, key)),
            };
            last = await IntegrationHttp.SendAsync(clients.CreateClient(ChannelName), request, time, cancellationToken);
            // Stop at the first call not delivered: the retry repeats the ones before it, which dedup_key makes harmless.
            if (last.Status != DeliveryStatus.Delivered)
                return last;
        }
        return last ?? DeliveryResult.Permanent($"no PagerDuty service is configured for escalation role '{page.Target}'");
    }

    private IEnumerable<string> RoutingKeys(PageEvent page) => page.Action switch
    {
        PageAction.Trigger => [Options.RoutingKey!],
        PageAction.Escalate => CanEscalateTo(page.Target ?? "") ? [Options.EscalationRoutingKeys[page.Target!]] : [],
        // The incident may have been escalated onto other services: acknowledge/resolve it everywhere.
        _ => new[] { Options.RoutingKey! }.Concat(Options.EscalationRoutingKeys.Values.Where(k => !string.IsNullOrWhiteSpace(k))).Distinct(StringComparer.Ordinal),
    };

    private JsonObject Body(PageEvent page, string routingKey)
    {
        var action = page.Action is PageAction.Trigger or PageAction.Escalate ? "trigger" : page.Action == PageAction.Acknowledge ? "acknowledge" : "resolve";
        var body = new JsonObject
        {
            ["routing_key"] = routingKey,
            ["event_action"] = action,
            ["dedup_key"] = page.DedupKey,
        };
        if (action != "trigger")
            return body;
        var details = new JsonObject();
        foreach (var (key, value) in page.Details ?? new Dictionary<string, string>())
            details[key] = value;
        var payload = new JsonObject
        {
            ["summary"] = page.Summary.Length <= MaxSummary ? page.Summary : page.Summary[..(MaxSummary - 1)] + "…",
            ["source"] = paging.Value.Source,
            ["severity"] = Severity(page.Severity),
            ["group"] = "drbot",
            ["class"] = page.Action == PageAction.Escalate ? "escalation" : "incident",
            ["custom_details"] = details,
        };
        if (page.Region is not null)
            payload["component"] = page.Region;
        body["payload"] = payload;
        body["client"] = "DrBot";
        if (page.Link is not null)
        {
            body["client_url"] = page.Link;
            body["links"] = new JsonArray(new JsonObject { ["href"] = page.Link, ["text"] = $"DrBot: {page.DedupKey}" });
        }
        return body;
    }

    /// <summary>P1..P4 to the Events API's severities.</summary>
    public static string Severity(string severity) => severity.ToUpperInvariant() switch
    {
        "P1" => "critical",
        "P2" => "error",
        "P3" => "warning",
        _ => "info",
    };
}
