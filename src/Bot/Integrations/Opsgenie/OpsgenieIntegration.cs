using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Integrations.Paging;
using DrBot.Runbooks.Outbox;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Integrations.Opsgenie;

/// <summary>
/// Opsgenie Alert API v2 with <c>Authorization: GenieKey &lt;key&gt;</c>: create an alert with
/// <c>alias</c> = the incident id (Opsgenie folds a repeated create into the open alert), then
/// acknowledge, close and escalate it by that alias (<c>identifierType=alias</c>).
/// </summary>
public sealed class OpsgenieIntegration(
    IHttpClientFactory clients,
    IOptions<OpsgenieOptions> options,
    IOptions<PagingOptions> paging,
    TimeProvider time) : IPagingService, IIntegrationStatus
{
    public const string ChannelName = "opsgenie";
    private const int MaxMessage = 130;
    private const int MaxDescription = 15000;
    private OpsgenieOptions Options => options.Value;

    public string Name => ChannelName;

    public bool IsConfigured => Options.IsConfigured;

    public bool CanEscalateTo(string role) => Options.Escalations.TryGetValue(role, out var name) && !string.IsNullOrWhiteSpace(name);

    public string Describe() => IsConfigured
        ? $"on: incidents of {string.Join("/", paging.Value.Severities)} and page_on_call alerts create Opsgenie alerts at {Options.ApiBaseUrl}{(Options.Team is null ? "" : $" for team {Options.Team}")}"
        : "not configured (DrBot:Opsgenie:ApiKey is empty): paging stays a chat mention";

    public async Task<DeliveryResult> DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var page = JsonSerializer.Deserialize<PageEvent>(message.Payload, IncidentPager.Json)
            ?? throw new InvalidOperationException($"outbox message {message.Sequence} has no page");
        if (!IsConfigured)
            return DeliveryResult.Permanent("Opsgenie is no longer configured (DrBot:Opsgenie:ApiKey is empty)");
        if (page.Action == PageAction.Escalate && !CanEscalateTo(page.Target ?? ""))
            return DeliveryResult.Permanent($"no Opsgenie escalation is configured for role '{page.Target}'");
        var alias = Uri.EscapeDataString(page.DedupKey);
        var (path, body) = page.Action switch
        {
            PageAction.Trigger => ("v2/alerts", Create(page)),
            PageAction.Acknowledge => ($"v2/alerts/{alias}/acknowledge?identifierType=alias", Note(page, $"Acknowledged in DrBot by {page.By}")),
            PageAction.Resolve => ($"v2/alerts/{alias}/close?identifierType=alias", Note(page, $"Resolved in DrBot by {page.By}")),
            _ => ($"v2/alerts/{alias}/escalate?identifierType=alias", Escalate(page)),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Options.ApiBaseUrl, path)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("GenieKey", Options.ApiKey);
        return await IntegrationHttp.SendAsync(clients.CreateClient(ChannelName), request, time, cancellationToken);
    }

    private JsonObject Create(PageEvent page)
    {
        var details = new JsonObject();
        foreach (var (key, value) in page.Details ?? new Dictionary<string, string>())
            details[key] = value;
        var description = page.Link is null ? page.Summary : $"{page.Summary}\n{page.Link}";
        var body = new JsonObject
        {
            ["message"] = page.Summary.Length <= MaxMessage ? page.Summary : page.Summary[..(MaxMessage - 1)] + "…",
            ["alias"] = page.DedupKey,
            ["description"] = description.Length <= MaxDescription ? description : description[..MaxDescription],
            ["priority"] = Priority(page.Severity),
            ["source"] = paging.Value.Source,
            ["tags"] = new JsonArray("drbot", page.Severity),
            ["details"] = details,
        };
        if (page.Region is not null)
            body["entity"] = page.Region;
        if (!string.IsNullOrWhiteSpace(Options.Team))
            body["responders"] = new JsonArray(new JsonObject { ["type"] = "team", ["name"] = Options.Team });
        return body;
    }

    private JsonObject Note(PageEvent page, string note) => new()
    {
        ["source"] = paging.Value.Source,
        ["user"] = page.By ?? "DrBot",
        ["note"] = note,
    };

    private JsonObject Escalate(PageEvent page) => new()
    {
        ["escalation"] = new JsonObject { ["name"] = Options.Escalations[page.Target!], ["type"] = "escalation" },
        ["source"] = paging.Value.Source,
        ["note"] = page.Summary,
    };

    /// <summary>P1..P4 map onto Opsgenie's P1..P5 one to one.</summary>
    public static string Priority(string severity) => severity.ToUpperInvariant() is "P1" or "P2" or "P3" or "P4" ? severity.ToUpperInvariant() : "P3";
}
