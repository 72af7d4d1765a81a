using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Bot.StatusPage;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.Statuspage;

/// <summary><c>DrBot:Statuspage</c>: Atlassian Statuspage REST v1. Off while <see cref="ApiKey"/> or <see cref="PageId"/> is empty.</summary>
public sealed class StatuspageOptions
{
    public const string Section = "DrBot:Statuspage";
    public string? ApiKey { get; set; }
    public string? PageId { get; set; }
    public Uri ApiBaseUrl { get; set; } = new("https://api.statuspage.io/");
    /// <summary>Service name → Statuspage component id (services without one are not set).</summary>
    public Dictionary<string, string> Components { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Severities { get; set; } = ["P1", "P2"];
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(PageId);
}

public enum StatuspageAction { Create, Update, Resolve }

/// <summary>One Statuspage call in the outbox (channel "statuspage"). Only public text: the impact and what people wrote with <c>--public</c>.</summary>
public sealed record StatuspageEvent(StatuspageAction Action, string IncidentId, string Name, string Body, string Impact, IReadOnlyList<string> Services);

/// <summary>Writes Statuspage calls to the outbox when a P1/P2 opens, gets a public update, or is resolved.</summary>
public sealed class StatuspageSync(IOutboxStore outbox, OutboxSignal signal, IOptions<StatuspageOptions> options, IOptions<DrBotOptions> drbot, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public Task OpenedAsync(Incident incident, CancellationToken cancellationToken) =>
        EnqueueAsync(incident, StatuspageAction.Create, "We are investigating this issue.", cancellationToken);

    public Task UpdatedAsync(Incident incident, string publicText, CancellationToken cancellationToken) =>
        EnqueueAsync(incident, StatuspageAction.Update, publicText, cancellationToken);

    public Task ResolvedAsync(Incident incident, CancellationToken cancellationToken) =>
        EnqueueAsync(incident, StatuspageAction.Resolve, "This incident has been resolved.", cancellationToken);

    private async Task EnqueueAsync(Incident incident, StatuspageAction action, string body, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured || !options.Value.Severities.Contains(incident.Severity, StringComparer.OrdinalIgnoreCase))
            return;
        var impact = PublicStatus.Impact(incident.Severity);
        var services = incident.Services.Count > 0 ? incident.Services : drbot.Value.Tiers.GetValueOrDefault(incident.Tier)?.Services ?? [];
        var page = new StatuspageEvent(action, incident.Id, PublicStatus.Title(impact), body, impact, services);
        var now = time.GetUtcNow();
        await outbox.EnqueueAsync(new OutboxMessage(0, StatuspageIntegration.ChannelName, "", OutboxOperation.Post, $"statuspage:{action}:{incident.Id}:{now.UtcTicks}",
            JsonSerializer.Serialize(page, Json), now), cancellationToken);
        signal.Notify();
    }
}

/// <summary>
/// Atlassian Statuspage REST v1 with <c>Authorization: OAuth &lt;key&gt;</c>: <c>POST /v1/pages/{page}/incidents</c>
/// (name, status, impact_override, body, component statuses), then <c>PATCH …/incidents/{id}</c> for updates and
/// the resolution. The created incident's id is recorded before the delivery completes, so a retried
/// create never opens a second Statuspage incident; and the incident carries <c>metadata.drbot.incident_id</c>,
/// so a create repeated after a crash between the create and that record first finds it among
/// <c>GET /v1/pages/{page}/incidents/unresolved</c>.
/// </summary>
public sealed class StatuspageIntegration(IHttpClientFactory clients, IOptions<StatuspageOptions> options, IIdempotencyStore store, TimeProvider time) : IOutboundIntegration, IIntegrationStatus
{
    public const string ChannelName = "statuspage";
    private StatuspageOptions Options => options.Value;

    public string Name => ChannelName;

    public string Describe() => Options.IsConfigured
        ? $"on: {string.Join("/", Options.Severities)} incidents on Statuspage page {Options.PageId}"
        : "not configured (DrBot:Statuspage:ApiKey or PageId is empty): the built-in /status page only";

    public async Task<DeliveryResult> DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var page = JsonSerializer.Deserialize<StatuspageEvent>(message.Payload, StatuspageSync.Json) ?? throw new InvalidOperationException($"outbox message {message.Sequence} has no event");
        if (!Options.IsConfigured)
            return DeliveryResult.Permanent("Statuspage is no longer configured");
        var key = $"statuspage:{page.IncidentId}";
        var id = await store.GetValueAsync(key, cancellationToken);
        var componentStatus = page.Action == StatuspageAction.Resolve ? "operational" : page.Impact;
        var components = new JsonObject();
        foreach (var service in page.Services.Where(Options.Components.ContainsKey))
            components[Options.Components[service]] = componentStatus;
        var incident = new JsonObject { ["body"] = page.Body, ["components"] = components };
        HttpRequestMessage request;
        if (page.Action == StatuspageAction.Create)
        {
            if (id is not null)
                return DeliveryResult.Delivered(id);
            var (found, failure) = await FindAsync(page.IncidentId, cancellationToken);
            if (failure is not null)
                return failure;
            if (found is not null)
            {
                await store.SetValueAsync(key, found, cancellationToken);
                return DeliveryResult.Delivered(found);
            }
            incident["name"] = page.Name;
            incident["metadata"] = new JsonObject { ["drbot"] = new JsonObject { ["incident_id"] = page.IncidentId } };
            incident["status"] = "investigating";
            incident["impact_override"] = page.Impact switch { "major_outage" => "critical", "partial_outage" => "major", _ => "minor" };
            incident["component_ids"] = new JsonArray(components.Select(c => (JsonNode)c.Key).ToArray());
            incident["deliver_notifications"] = true;
            request = Request(HttpMethod.Post, $"v1/pages/{Uri.EscapeDataString(Options.PageId!)}/incidents", incident);
        }
        else
        {
            if (id is null)
                return DeliveryResult.Permanent($"{page.IncidentId} has no Statuspage incident to update");
            incident["status"] = page.Action == StatuspageAction.Resolve ? "resolved" : "identified";
            request = Request(HttpMethod.Patch, $"v1/pages/{Uri.EscapeDataString(Options.PageId!)}/incidents/{Uri.EscapeDataString(id)}", incident);
        }
        using (request)
        {
            using var response = await clients.CreateClient(ChannelName).SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var result = IntegrationHttp.Classify(request, response, body, time);
            if (result.Status == DeliveryStatus.Delivered && page.Action == StatuspageAction.Create)
            {
                var created = (string?)JsonNode.Parse(body)?["id"] ?? throw new InvalidOperationException("Statuspage answered a create without an id");
                await store.SetValueAsync(key, created, cancellationToken);
                return DeliveryResult.Delivered(created);
            }
            return result;
        }
    }

    /// <summary>The unresolved Statuspage incident an earlier try created for this incident, if any.</summary>
    private async Task<(string? Id, DeliveryResult? Failure)> FindAsync(string incidentId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Options.ApiBaseUrl, $"v1/pages/{Uri.EscapeDataString(Options.PageId!)}/incidents/unresolved"));
        request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", Options.ApiKey);
        using var response = await clients.CreateClient(ChannelName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // Only a passing outage waits; a refused search leaves the create as before.
            var result = IntegrationHttp.Classify(request, response, body, time);
            return (null, result.Status == DeliveryStatus.Retry ? result : null);
        }
        var match = (JsonNode.Parse(body) as JsonArray ?? []).FirstOrDefault(i => (string?)i?["metadata"]?["drbot"]?["incident_id"] == incidentId);
        return ((string?)match?["id"], null);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, JsonObject incident)
    {
        var request = new HttpRequestMessage(method, new Uri(Options.ApiBaseUrl, path)) { Content = JsonContent.Create(new JsonObject { ["incident"] = incident }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", Options.ApiKey);
        return request;
    }
}
