using System.Text;
using System.Text.Json.Nodes;

namespace DrBot.Bot.Tests.Integrations.Support;

/// <summary>
/// Jira Cloud REST v3 as documented for the calls DrBot makes: basic auth with the account email and
/// an API token (401 otherwise); <c>POST /rest/api/3/issue</c> needs <c>fields.project.key</c> of a known
/// project, <c>fields.issuetype.name</c>, <c>fields.summary</c> (at most 255 characters) and, in v3, a
/// <c>description</c> in Atlassian Document Format; answers 201 <c>{"id","key","self"}</c>.
/// <c>POST …/issue/{key}/comment</c> (ADF body) answers 201; <c>POST …/issue/{key}/transitions</c> 204;
/// <c>GET /rest/api/3/search/jql?jql=labels = "x"</c> answers <c>{"issues":[{"id","key"}]}</c>.
/// </summary>
public sealed class JiraStandIn(string email, string token, string project)
{
    private readonly object _gate = new();
    public Dictionary<string, string> Issues { get; } = [];
    public Dictionary<string, List<string>> Labels { get; } = [];

    /// <summary>The next create succeeds but its answer is lost (503), as when the bot stops before reading it.</summary>
    public bool LoseNextCreateAnswer { get; set; }
    public Dictionary<string, List<string>> Comments { get; } = [];

    public StandInAnswer Answer(ReceivedRequest request)
    {
        if (request.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{email}:{token}")))
            return new(401, """{"errorMessages":["Client must be authenticated to access this resource."]}""");
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        lock (_gate)
        {
            switch (segments)
            {
                case ["rest", "api", "3", "issue"] when request.Method == "POST":
                    var fields = request.Json["fields"] as JsonObject;
                    var errors = new JsonObject();
                    if ((string?)fields?["project"]?["key"] != project) errors["project"] = "Specify a valid project ID or key";
                    if (fields?["issuetype"]?["name"] is null) errors["issuetype"] = "Specify an issue type";
                    if (string.IsNullOrEmpty((string?)fields?["summary"]) || ((string)fields!["summary"]!).Length > 255) errors["summary"] = "You must specify a summary of the issue (at most 255 characters).";
                    if (fields?["description"] is { } d && ((string?)d["type"] != "doc" || (int?)d["version"] != 1 || d["content"] is not JsonArray))
                        errors["description"] = "Operation value must be an Atlassian Document.";
                    if (errors.Count > 0)
                        return new(400, new JsonObject { ["errorMessages"] = new JsonArray(), ["errors"] = errors }.ToJsonString());
                    var created = $"{project}-{Issues.Count + 1}";
                    Issues[created] = "To Do";
                    Labels[created] = fields!["labels"]?.AsArray().Select(l => (string)l!).ToList() ?? [];
                    if (LoseNextCreateAnswer)
                    {
                        LoseNextCreateAnswer = false;
                        return new(503, """{"errorMessages":["Service Unavailable"]}""");
                    }
                    return new(201, new JsonObject { ["id"] = (10000 + Issues.Count).ToString(System.Globalization.CultureInfo.InvariantCulture), ["key"] = created, ["self"] = $"https://jira.example/rest/api/3/issue/{created}" }.ToJsonString());
                case ["rest", "api", "3", "search", "jql"] when request.Method == "GET":
                    var jql = (string?)Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Query)["jql"] ?? "";
                    var label = System.Text.RegularExpressions.Regex.Match(jql, "^labels = \"([^\"]+)\"$");
                    if (!label.Success)
                        return new(400, """{"errorMessages":["Error in the JQL Query."]}""");
                    var hits = Labels.Where(l => l.Value.Contains(label.Groups[1].Value)).Select(l => (JsonNode)new JsonObject
                    {
                        ["id"] = (10000 + int.Parse(l.Key[(project.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["key"] = l.Key,
                    }).ToArray();
                    return new(200, new JsonObject { ["issues"] = new JsonArray(hits), ["isLast"] = true }.ToJsonString());
                case ["rest", "api", "3", "issue", var commented, "comment"] when request.Method == "POST" && Issues.ContainsKey(commented!):
                    if ((string?)request.Json["body"]?["type"] != "doc")
                        return new(400, """{"errorMessages":["Comment body is not valid!"]}""");
                    if (!Comments.TryGetValue(commented, out var list)) Comments[commented] = list = [];
                    list.Add(string.Concat(request.Json["body"]!["content"]!.AsArray().SelectMany(p => p!["content"]!.AsArray()).Select(t => (string?)t!["text"])));
                    return new(201, """{"id":"20001"}""");
                case ["rest", "api", "3", "issue", var moved, "transitions"] when request.Method == "POST" && Issues.ContainsKey(moved!):
                    if ((string?)request.Json["transition"]?["id"] != "31")
                        return new(400, """{"errorMessages":["Transition id is not valid for this issue."]}""");
                    Issues[moved] = "Done";
                    return new(204, "");
                default:
                    return new(404, """{"errorMessages":["Issue does not exist or you do not have permission to see it."]}""");
            }
        }
    }
}

/// <summary>
/// ServiceNow's Table API for incidents: basic auth; <c>POST /api/now/table/incident</c> with
/// <c>short_description</c> answers 201 <c>{"result":{"sys_id","number"}}</c>; <c>PATCH /api/now/table/incident/{sys_id}</c> 200.
/// </summary>
public sealed class ServiceNowStandIn(string user, string password)
{
    public Dictionary<string, JsonObject> Incidents { get; } = [];

    /// <summary>The next create succeeds but its answer is lost (503).</summary>
    public bool LoseNextCreateAnswer { get; set; }

    public StandInAnswer Answer(ReceivedRequest request)
    {
        if (request.Authorization != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")))
            return new(401, """{"error":{"message":"User Not Authenticated"},"status":"failure"}""");
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        lock (Incidents)
        {
            switch (segments)
            {
                case ["api", "now", "table", "incident"] when request.Method == "POST":
                    if (string.IsNullOrEmpty((string?)request.Json["short_description"]))
                        return new(400, """{"error":{"message":"short_description is mandatory"},"status":"failure"}""");
                    var sysId = $"{Incidents.Count + 1:x32}";
                    var record = request.Json;
                    record["number"] = $"INC00100{Incidents.Count + 1}";
                    record["state"] = "1";
                    Incidents[sysId] = record;
                    if (LoseNextCreateAnswer)
                    {
                        LoseNextCreateAnswer = false;
                        return new(503, """{"error":{"message":"Service Unavailable"},"status":"failure"}""");
                    }
                    return new(201, new JsonObject { ["result"] = new JsonObject { ["sys_id"] = sysId, ["number"] = (string)record["number"]! } }.ToJsonString());
                case ["api", "now", "table", "incident"] when request.Method == "GET":
                    var query = (string?)Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.Query)["sysparm_query"] ?? "";
                    var matches = Incidents.Where(i => query.StartsWith("correlation_id=", StringComparison.Ordinal) && (string?)i.Value["correlation_id"] == query["correlation_id=".Length..])
                        .Select(i => (JsonNode)new JsonObject { ["sys_id"] = i.Key, ["number"] = (string?)i.Value["number"] }).ToArray();
                    return new(200, new JsonObject { ["result"] = new JsonArray(matches) }.ToJsonString());
                case ["api", "now", "table", "incident", var id] when request.Method == "PATCH" && Incidents.ContainsKey(id!):
                    foreach (var (k, v) in request.Json)
                        Incidents[id][k] = v?.DeepClone();
                    return new(200, new JsonObject { ["result"] = new JsonObject { ["sys_id"] = id } }.ToJsonString());
                default:
                    return new(404, """{"error":{"message":"No Record found"},"status":"failure"}""");
            }
        }
    }
}
