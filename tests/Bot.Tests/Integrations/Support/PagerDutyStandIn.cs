using System.Text.Json.Nodes;

namespace DrBot.Bot.Tests.Integrations.Support;

/// <summary>
/// PagerDuty's Events API v2 as documented: <c>POST /v2/enqueue</c>, JSON body, the routing key in
/// the body (32 characters, must be a known integration), <c>event_action</c> trigger / acknowledge /
/// resolve, <c>dedup_key</c> required to acknowledge or resolve, a trigger's <c>payload.summary</c>,
/// <c>source</c> and <c>severity</c> (critical, error, warning, info) required. 202 with
/// <c>{"status":"success","dedup_key":…}</c>; 400 <c>invalid event</c> with the errors otherwise.
/// Keeps PagerDuty's incidents by (routing key, dedup key), so a repeated trigger stays one incident.
/// </summary>
public sealed class PagerDutyStandIn
{
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];
    private readonly HashSet<string> _keys;
    private readonly object _gate = new();

    public PagerDutyStandIn(params string[] routingKeys) => _keys = [.. routingKeys];

    /// <summary>(routing key, dedup key) → triggered, acknowledged or resolved.</summary>
    public Dictionary<(string RoutingKey, string DedupKey), string> Incidents { get; } = [];

    public StandInAnswer Answer(ReceivedRequest request)
    {
        if (request.Method != "POST" || request.Path != "/v2/enqueue")
            return new(404, """{"status":"not found"}""");
        if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            return Invalid("Content-Type must be application/json");
        JsonObject body;
        try { body = request.Json; }
        catch (System.Text.Json.JsonException) { return Invalid("body is not JSON"); }
        var errors = new List<string>();
        var key = (string?)body["routing_key"];
        var action = (string?)body["event_action"];
        var dedup = (string?)body["dedup_key"];
        if (key is null || key.Length != 32)
            errors.Add("'routing_key' must be a 32-character integration key");
        if (action is not ("trigger" or "acknowledge" or "resolve"))
            errors.Add("'event_action' must be trigger, acknowledge or resolve");
        if (action is "acknowledge" or "resolve" && string.IsNullOrEmpty(dedup))
            errors.Add("'dedup_key' is required to acknowledge or resolve");
        if (dedup is { Length: > 255 })
            errors.Add("'dedup_key' is longer than 255 characters");
        if (action == "trigger")
        {
            var payload = body["payload"] as JsonObject;
            if (payload is null || string.IsNullOrEmpty((string?)payload["summary"]) || ((string)payload["summary"]!).Length > 1024)
                errors.Add("'payload.summary' is required (at most 1024 characters)");
            if (payload is null || string.IsNullOrEmpty((string?)payload["source"]))
                errors.Add("'payload.source' is required");
            if (payload is null || !Severities.Contains((string?)payload["severity"]))
                errors.Add("'payload.severity' must be critical, error, warning or info");
            foreach (var link in body["links"] as JsonArray ?? [])
                if (!Uri.TryCreate((string?)link?["href"], UriKind.Absolute, out _))
                    errors.Add("'links[].href' must be an absolute URL");
        }
        if (errors.Count > 0)
            return Invalid(errors.ToArray());
        if (!_keys.Contains(key!))
            return Invalid("routing key not found");
        lock (_gate)
        {
            dedup ??= Guid.NewGuid().ToString("N");
            var state = action switch { "trigger" => "triggered", "acknowledge" => "acknowledged", _ => "resolved" };
            // A trigger on an open incident with the same dedup key is folded into it.
            if (action == "trigger" && Incidents.TryGetValue((key!, dedup), out var current) && current != "resolved")
                state = current;
            if (action == "trigger" || Incidents.ContainsKey((key!, dedup)))
                Incidents[(key!, dedup)] = state;
        }
        return new(202, new JsonObject { ["status"] = "success", ["message"] = "Event processed", ["dedup_key"] = dedup }.ToJsonString());
    }

    private static StandInAnswer Invalid(params string[] errors) =>
        new(400, new JsonObject { ["status"] = "invalid event", ["message"] = "Event object is invalid", ["errors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray()) }.ToJsonString());
}
