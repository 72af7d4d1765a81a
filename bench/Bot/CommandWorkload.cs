using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace DrBot.Bench.Bot;

/// <summary>
/// Benchmark (a): what people do in the channel once a failover has happened. Setup (not measured):
/// a region-down drill, <c>/failover west-us</c>, Bob approves, the run finishes. Then the load
/// cycles through typed commands (help, runbooks, runbook, incident status — which posts a status
/// message through the outbox) and card clicks (a stale Approve on the finished run's card, which is
/// answered with the current card and changes nothing; Acknowledge on the incident; Refresh).
/// </summary>
internal sealed class CommandWorkload(HttpClient http)
{
    private string _cardMessageId = "";
    private Dictionary<string, string> _approveData = [];
    private string _incidentId = "";

    public static readonly string[] Kinds =
    [
        "text: help", "click: stale approve", "text: runbooks", "click: ack incident",
        "text: incident status", "click: refresh card", "text: runbook region-failover", "click: stale approve",
    ];

    public async Task SetUpAsync(CancellationToken cancellationToken)
    {
        await SendAsync("alice", "drill region-down east-us", cancellationToken);
        await SendAsync("alice", "/failover west-us", cancellationToken);
        var card = await WaitForMessageAsync(m => Actions(m).Any(a => a.Verb == "approve"), cancellationToken);
        _cardMessageId = card["id"]!.GetValue<string>();
        var approve = Actions(card).First(a => a.Verb == "approve");
        _approveData = approve.Data;
        // The approve button may not carry the incident: an empty id acknowledges the latest open one.
        _incidentId = _approveData.GetValueOrDefault("incidentId") ?? "";
        using (var approved = await http.PostAsJsonAsync("api/local/actions", new { user = "bob", messageId = _cardMessageId, verb = "approve", data = _approveData }, cancellationToken))
            approved.EnsureSuccessStatusCode();
        await WaitForMessageAsync(m => m["id"]!.GetValue<string>() == _cardMessageId && Text(m).Contains("Succeeded", StringComparison.Ordinal), cancellationToken);
    }

    public async Task<Outcome> SendAsync(int index, CancellationToken cancellationToken)
    {
        var kind = index % Kinds.Length;
        using var response = kind switch
        {
            0 => await PostTextAsync("alice", "help", cancellationToken),
            2 => await PostTextAsync("carol", "runbooks", cancellationToken),
            4 => await PostTextAsync("alice", "incident status", cancellationToken),
            6 => await PostTextAsync("erin", "runbook region-failover", cancellationToken),
            1 or 7 => await ClickAsync("carol", "approve", _approveData, cancellationToken),
            3 => await ClickAsync("alice", "ack", new Dictionary<string, string> { ["incidentId"] = _incidentId }, cancellationToken),
            _ => await ClickAsync("dana", "refresh", new Dictionary<string, string> { ["runId"] = _approveData.GetValueOrDefault("runId") ?? "" }, cancellationToken),
        };
        // Drain the body: the answer is only acknowledged once it has arrived.
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode && body.Contains("\"reply\"", StringComparison.Ordinal) ? Outcome.Ok : Outcome.Failed;
    }

    private Task<HttpResponseMessage> PostTextAsync(string user, string text, CancellationToken cancellationToken) =>
        http.PostAsJsonAsync("api/local/messages", new { user, text }, cancellationToken);

    private Task<HttpResponseMessage> ClickAsync(string user, string verb, Dictionary<string, string> data, CancellationToken cancellationToken) =>
        http.PostAsJsonAsync("api/local/actions", new { user, messageId = _cardMessageId, verb, data }, cancellationToken);

    private async Task SendAsync(string user, string text, CancellationToken cancellationToken)
    {
        using var response = await PostTextAsync(user, text, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"'{text}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    private async Task<JsonObject> WaitForMessageAsync(Func<JsonObject, bool> condition, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var messages = await http.GetFromJsonAsync<JsonArray>("api/local/messages", cancellationToken) ?? [];
            foreach (var message in messages.OfType<JsonObject>())
                if (condition(message))
                    return message;
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException("setup: the expected message did not appear within 60 s");
    }

    private static string Text(JsonObject message) => message["card"]?.ToJsonString() ?? "";

    private static IEnumerable<(string Verb, Dictionary<string, string> Data)> Actions(JsonObject message)
    {
        var found = new List<(string, Dictionary<string, string>)>();
        void Visit(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                if (obj["type"]?.GetValue<string>() == "Action.Execute")
                {
                    var data = obj["data"] is JsonObject d ? d.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "") : [];
                    found.Add((obj["verb"]?.GetValue<string>() ?? "", data));
                }
                foreach (var (_, value) in obj)
                    Visit(value);
            }
            else if (node is JsonArray array)
            {
                foreach (var item in array)
                    Visit(item);
            }
        }
        Visit(message["card"]);
        return found;
    }
}
