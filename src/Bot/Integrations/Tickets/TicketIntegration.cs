using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.Tickets;

/// <summary>
/// Creates and resolves incident tickets: Jira Cloud REST v3 (<c>POST /rest/api/3/issue</c>, basic auth
/// with email and API token), ServiceNow Table API (<c>POST /api/now/table/incident</c>, basic auth), or a
/// generic JSON webhook signed with HMAC-SHA256 (<c>X-DrBot-Signature: sha256=…</c>). One ticket per
/// incident: the created ticket is recorded in the store before the delivery completes, so a retried
/// create finds it and creates nothing twice; its key and link are posted in the incident's thread.
/// A crash between the create and that record is covered too: the ticket carries the event's reference
/// (Jira label, ServiceNow <c>correlation_id</c>) and a create first searches for it (Jira JQL
/// <c>GET /rest/api/3/search/jql</c>, ServiceNow <c>sysparm_query</c>); a webhook receiver gets the
/// <c>Idempotency-Key</c> header instead.
/// </summary>
public sealed class TicketIntegration(IHttpClientFactory clients, IOptions<TicketOptions> options, IIdempotencyStore store, CardPublisher publisher, TimeProvider time,
    Incidents.IncidentCardLinks? cardLinks = null)
    : IOutboundIntegration, IIntegrationStatus
{
    public const string ChannelName = "tickets";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private TicketOptions Options => options.Value;
    private string Provider => Options.Provider?.ToLowerInvariant() ?? "";

    public string Name => ChannelName;

    public string Describe() => Options.IsConfigured
        ? $"on: incident tickets in {Options.Provider} at {Options.BaseUrl}"
        : "not configured (DrBot:Tickets:Provider is empty): the ticket step posts in chat only";

    public static string ReferenceKey(string incidentId) => $"ticket:{incidentId}";

    public async Task<DeliveryResult> DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var ticket = JsonSerializer.Deserialize<TicketEvent>(message.Payload, Json) ?? throw new InvalidOperationException($"outbox message {message.Sequence} has no ticket");
        if (!Options.IsConfigured)
            return DeliveryResult.Permanent("tickets are no longer configured");
        var existing = await store.GetValueAsync(ReferenceKey(ticket.IncidentId), cancellationToken) is { } json ? JsonSerializer.Deserialize<TicketReference>(json, Json) : null;
        if (ticket.Action == TicketAction.Create)
            return existing is not null ? DeliveryResult.Delivered(existing.Key) : await CreateAsync(ticket, cancellationToken);
        if (existing is null)
            return Provider == "webhook" ? await SendAsync(Webhook(ticket, null), cancellationToken) : DeliveryResult.Permanent($"{ticket.IncidentId} has no ticket to resolve");
        return await ResolveAsync(ticket, existing, cancellationToken);
    }

    private async Task<DeliveryResult> CreateAsync(TicketEvent ticket, CancellationToken cancellationToken)
    {
        // A search the service refuses for good (no permission to search) leaves only the create.
        var found = await FindAsync(ticket, cancellationToken);
        if (found.Failure is { Status: DeliveryStatus.Retry } failure)
            return failure;
        if (found.Reference is { } existing)
            return await RecordAsync(ticket, existing, cancellationToken);
        var request = Provider switch
        {
            "jira" => Authorized(HttpMethod.Post, "rest/api/3/issue", new JsonObject
            {
                ["fields"] = new JsonObject
                {
                    ["project"] = new JsonObject { ["key"] = Options.ProjectKey },
                    ["issuetype"] = new JsonObject { ["name"] = Options.IssueType },
                    ["summary"] = Trim($"[{ticket.Severity}] {ticket.Summary}", 255),
                    ["description"] = Document(ticket.Description),
                    ["labels"] = new JsonArray([.. new[] { "drbot", ticket.IncidentId, ticket.Marker }.Distinct()]),
                },
            }),
            "servicenow" => Authorized(HttpMethod.Post, "api/now/table/incident", new JsonObject
            {
                ["short_description"] = Trim($"[{ticket.Severity}] {ticket.Summary}", 160),
                ["description"] = ticket.Description,
                ["urgency"] = Urgency(ticket.Severity),
                ["impact"] = Urgency(ticket.Severity),
                ["correlation_id"] = ticket.Marker,
                ["correlation_display"] = "DrBot",
            }),
            _ => Webhook(ticket, null),
        };
        using var sent = request;
        using var response = await clients.CreateClient(ChannelName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            return IntegrationHttp.Classify(request, response, body, time);
        return await RecordAsync(ticket, Parse(body, ticket), cancellationToken);
    }

    /// <summary>A ticket an earlier try created but did not record (its answer lost, or the bot stopped): found by its reference.</summary>
    private async Task<(TicketReference? Reference, DeliveryResult? Failure)> FindAsync(TicketEvent ticket, CancellationToken cancellationToken)
    {
        var path = Provider switch
        {
            "jira" => $"rest/api/3/search/jql?jql={Uri.EscapeDataString($"labels = \"{ticket.Marker}\"")}&fields=key&maxResults=1",
            "servicenow" => $"api/now/table/incident?sysparm_query={Uri.EscapeDataString($"correlation_id={ticket.Marker}")}&sysparm_fields=sys_id,number&sysparm_limit=1",
            _ => null,
        };
        if (path is null)
            return (null, null);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Options.BaseUrl!, path));
        Authorize(request);
        using var response = await clients.CreateClient(ChannelName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            return (null, IntegrationHttp.Classify(request, response, body, time));
        var node = JsonNode.Parse(body);
        var hit = Provider == "jira" ? node?["issues"]?.AsArray().FirstOrDefault() : node?["result"]?.AsArray().FirstOrDefault();
        if (hit is null)
            return (null, null);
        var wrapped = Provider == "jira" ? hit.ToJsonString() : new JsonObject { ["result"] = hit.DeepClone() }.ToJsonString();
        return (Parse(wrapped, ticket), null);
    }

    private async Task<DeliveryResult> RecordAsync(TicketEvent ticket, TicketReference reference, CancellationToken cancellationToken)
    {
        await store.SetValueAsync(ReferenceKey(ticket.IncidentId), JsonSerializer.Serialize(reference, Json), cancellationToken);
        var text = reference.Link is null ? $"Ticket {reference.Key} created for {ticket.IncidentId}." : $"Ticket {reference.Key} created for {ticket.IncidentId}: {reference.Link}";
        await publisher.PostAsync($"ticket:{ticket.IncidentId}", new CardDocument($"🎫 {text}", text, Blocks: [new TextBlock(text)]), cancellationToken, IncidentCards.PostKey(ticket.IncidentId));
        if (cardLinks is not null)
            await cardLinks.TicketCreatedAsync(ticket.IncidentId, reference.Link is null ? reference.Key : $"{reference.Key}: {reference.Link}", cancellationToken);
        return DeliveryResult.Delivered(reference.Key);
    }

    private async Task<DeliveryResult> ResolveAsync(TicketEvent ticket, TicketReference existing, CancellationToken cancellationToken)
    {
        switch (Provider)
        {
            case "jira":
                var comment = await SendAsync(Authorized(HttpMethod.Post, $"rest/api/3/issue/{Uri.EscapeDataString(existing.Key)}/comment", new JsonObject { ["body"] = Document(ticket.Description) }), cancellationToken);
                if (comment.Status != DeliveryStatus.Delivered || string.IsNullOrWhiteSpace(Options.ResolveTransitionId))
                    return comment;
                return await SendAsync(Authorized(HttpMethod.Post, $"rest/api/3/issue/{Uri.EscapeDataString(existing.Key)}/transitions",
                    new JsonObject { ["transition"] = new JsonObject { ["id"] = Options.ResolveTransitionId } }), cancellationToken);
            case "servicenow":
                return await SendAsync(Authorized(HttpMethod.Patch, $"api/now/table/incident/{Uri.EscapeDataString(existing.Id)}", new JsonObject
                {
                    ["state"] = "6",
                    ["close_code"] = "Solved (Permanently)",
                    ["close_notes"] = ticket.Description,
                }), cancellationToken);
            default:
                return await SendAsync(Webhook(ticket, existing), cancellationToken);
        }
    }

    private async Task<DeliveryResult> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
            return await IntegrationHttp.SendAsync(clients.CreateClient(ChannelName), request, time, cancellationToken);
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path, JsonObject body)
    {
        var request = new HttpRequestMessage(method, new Uri(Options.BaseUrl!, path)) { Content = JsonContent.Create(body) };
        Authorize(request);
        return request;
    }

    private void Authorize(HttpRequestMessage request)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Options.Username}:{Options.Secret}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    private HttpRequestMessage Webhook(TicketEvent ticket, TicketReference? existing)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            @event = ticket.Action == TicketAction.Create ? "incident.ticket.create" : "incident.ticket.resolve",
            incident = ticket.IncidentId,
            severity = ticket.Severity,
            summary = ticket.Summary,
            description = ticket.Description,
            ticket = existing?.Key,
        }, Json);
        var request = new HttpRequestMessage(HttpMethod.Post, Options.BaseUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // The receiver recognises a retried call by this key.
        request.Headers.Add("Idempotency-Key", $"{ticket.IncidentId}:{ticket.Action.ToString().ToLowerInvariant()}");
        if (!string.IsNullOrEmpty(Options.Secret))
            request.Headers.Add("X-DrBot-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Options.Secret), body)));
        return request;
    }

    private TicketReference Parse(string body, TicketEvent ticket)
    {
        JsonNode? node = null;
        try { node = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body); }
        catch (JsonException) { /* a webhook may answer anything */ }
        return Provider switch
        {
            "jira" => new TicketReference((string)node!["key"]!, (string)node["id"]!, new Uri(Options.BaseUrl!, $"browse/{(string)node["key"]!}").ToString()),
            "servicenow" => new TicketReference((string)node!["result"]!["number"]!, (string)node["result"]!["sys_id"]!,
                new Uri(Options.BaseUrl!, $"nav_to.do?uri=incident.do?sys_id={(string)node["result"]!["sys_id"]!}").ToString()),
            _ => new TicketReference((string?)node?["key"] ?? ticket.IncidentId, (string?)node?["id"] ?? ticket.IncidentId, (string?)node?["url"]),
        };
    }

    /// <summary>Jira v3 wants rich text as an Atlassian Document Format document.</summary>
    private static JsonObject Document(string text) => new()
    {
        ["type"] = "doc",
        ["version"] = 1,
        ["content"] = new JsonArray(text.Split('\n').Select(line => (JsonNode)new JsonObject
        {
            ["type"] = "paragraph",
            ["content"] = line.Length == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "text", ["text"] = line }),
        }).ToArray()),
    };

    private static string Urgency(string severity) => severity.ToUpperInvariant() switch { "P1" => "1", "P2" => "2", _ => "3" };

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
