using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace DrBot.Bot.Tests.Integrations.Support;

/// <summary>
/// Opsgenie's Alert API v2 as documented: <c>Authorization: GenieKey &lt;key&gt;</c> (401 otherwise);
/// <c>POST /v2/alerts</c> (message required, at most 130 characters; alias at most 512; priority
/// P1..P5; responders with a type and a name or id); <c>POST /v2/alerts/{identifier}/acknowledge|close|escalate</c>
/// with <c>identifierType=alias</c>; escalate needs <c>escalation.name</c> or <c>id</c>. Requests are
/// answered 202 <c>{"result":"Request will be processed",…}</c>. A create with an alias already open
/// is folded into that alert (Opsgenie's de-duplication).
/// </summary>
public sealed class OpsgenieStandIn(string apiKey)
{
    private static readonly string[] Priorities = ["P1", "P2", "P3", "P4", "P5"];
    private readonly object _gate = new();

    /// <summary>alias → open, acknowledged, closed; and the escalations each got.</summary>
    public Dictionary<string, string> Alerts { get; } = [];
    public Dictionary<string, int> CreateCounts { get; } = [];
    public List<(string Alias, string Escalation)> Escalations { get; } = [];

    public StandInAnswer Answer(ReceivedRequest request)
    {
        if (request.Authorization != $"GenieKey {apiKey}")
            return new(401, """{"message":"Could not authenticate","took":0.0,"requestId":"r-401"}""");
        if (request.Method != "POST")
            return new(405, """{"message":"Method not allowed"}""");
        var body = request.Json;
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        lock (_gate)
        {
            if (segments is ["v2", "alerts"])
                return Create(body);
            if (segments is ["v2", "alerts", var identifier, var verb])
            {
                var query = QueryHelpers.ParseQuery(request.Query);
                if (query.TryGetValue("identifierType", out var type) && type != "alias")
                    return Bad("this stand-in only knows identifierType=alias");
                if (!query.ContainsKey("identifierType"))
                    return Bad("identifierType missing: an alias would be read as an alert id");
                var alias = Uri.UnescapeDataString(identifier);
                if (!Alerts.ContainsKey(alias))
                    return new(404, """{"message":"Alert does not exist"}""");
                switch (verb)
                {
                    case "acknowledge":
                        if (Alerts[alias] == "open") Alerts[alias] = "acknowledged";
                        return Accepted();
                    case "close":
                        Alerts[alias] = "closed";
                        return Accepted();
                    case "escalate":
                        var escalation = body["escalation"] as JsonObject;
                        if (escalation is null || (escalation["name"] is null && escalation["id"] is null))
                            return Bad("escalation.name or escalation.id is required");
                        Escalations.Add((alias, (string)escalation["name"]!));
                        return Accepted();
                }
            }
        }
        return new(404, """{"message":"not found"}""");
    }

    private StandInAnswer Create(JsonObject body)
    {
        var message = (string?)body["message"];
        if (string.IsNullOrEmpty(message) || message.Length > 130)
            return Bad("message is required and may have at most 130 characters");
        var alias = (string?)body["alias"] ?? Guid.NewGuid().ToString("N");
        if (alias.Length > 512)
            return Bad("alias may have at most 512 characters");
        if (body["priority"] is { } priority && !Priorities.Contains((string?)priority))
            return Bad("priority must be P1..P5");
        foreach (var responder in body["responders"] as JsonArray ?? [])
            if ((string?)responder?["type"] is not ("team" or "user" or "escalation" or "schedule") || (responder["name"] is null && responder["id"] is null && responder["username"] is null))
                return Bad("each responder needs a type (team, user, escalation, schedule) and a name, id or username");
        CreateCounts[alias] = CreateCounts.GetValueOrDefault(alias) + 1;
        if (!Alerts.TryGetValue(alias, out var state) || state == "closed")
            Alerts[alias] = "open";
        return Accepted();
    }

    private static StandInAnswer Accepted() => new(202, """{"result":"Request will be processed","took":0.01,"requestId":"r-1"}""");

    private static StandInAnswer Bad(string message) => new(422, new JsonObject { ["message"] = message, ["took"] = 0.0 }.ToJsonString());
}
