using System.Text.Json.Nodes;

namespace DrBot.Bot.Tests.Integrations.Support;

/// <summary>
/// Statuspage v1 as documented: <c>Authorization: OAuth &lt;key&gt;</c>; POST creates (201 with id), PATCH updates;
/// statuses and impacts from its fixed sets; <c>GET …/incidents/unresolved</c> lists the incidents not resolved
/// (an array, each with its <c>metadata</c>).
/// </summary>
public sealed class StatuspageStandIn
{
    /// <summary>The next create succeeds but its answer is lost (503), as when the bot stops before reading it.</summary>
    public bool LoseNextCreateAnswer { get; set; }

    private static readonly string[] Statuses = ["investigating", "identified", "monitoring", "resolved"];
    private static readonly string[] ComponentStatuses = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"];
    public Dictionary<string, JsonObject> Incidents { get; } = [];

    public StandInAnswer Answer(ReceivedRequest request)
    {
        if (request.Authorization != "OAuth sp-key-1")
            return new(401, """{"error":"Could not authenticate"}""");
        if (request.Method == "GET" && request.Path == "/v1/pages/page-1/incidents/unresolved")
            lock (Incidents)
                return new(200, new JsonArray(Incidents.Where(i => (string?)i.Value["status"] != "resolved")
                    .Select(i => (JsonNode)new JsonObject { ["id"] = i.Key, ["name"] = (string?)i.Value["name"], ["status"] = (string?)i.Value["status"], ["metadata"] = i.Value["metadata"]?.DeepClone() }).ToArray()).ToJsonString());
        var incident = request.Json["incident"] as JsonObject;
        if (incident is null || !Statuses.Contains((string?)incident["status"]))
            return new(422, """{"error":"incident.status is invalid"}""");
        foreach (var (_, status) in incident["components"] as JsonObject ?? [])
            if (!ComponentStatuses.Contains((string?)status))
                return new(422, """{"error":"component status is invalid"}""");
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        lock (Incidents)
        {
            if (request.Method == "POST" && segments is ["v1", "pages", "page-1", "incidents"])
            {
                if (string.IsNullOrEmpty((string?)incident["name"]))
                    return new(422, """{"error":"incident.name can't be blank"}""");
                var id = $"sp{Incidents.Count + 1}";
                Incidents[id] = incident;
                if (LoseNextCreateAnswer)
                {
                    LoseNextCreateAnswer = false;
                    return new(503, """{"error":"Service Unavailable"}""");
                }
                return new(201, new JsonObject { ["id"] = id, ["status"] = (string)incident["status"]! }.ToJsonString());
            }
            if (request.Method == "PATCH" && segments is ["v1", "pages", "page-1", "incidents", var existing] && Incidents.ContainsKey(existing!))
            {
                foreach (var (k, v) in incident)
                    Incidents[existing][k] = v?.DeepClone();
                return new(200, new JsonObject { ["id"] = existing }.ToJsonString());
            }
        }
        return new(404, """{"error":"not found"}""");
    }
}
