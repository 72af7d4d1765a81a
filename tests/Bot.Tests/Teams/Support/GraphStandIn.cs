using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Integrations.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace DrBot.Bot.Tests.Teams.Support;

/// <summary>
/// Microsoft Graph v1.0 and its token endpoint over HTTPS, for the calls DrBot makes for a war room, as
/// documented: client-credentials tokens (<c>POST /{tenant}/oauth2/v2.0/token</c>, scope
/// <c>{graph origin}/.default</c>, 401 <c>invalid_client</c> otherwise); every Graph call needs that
/// bearer token and the application permission it names (403 Forbidden "Missing role permissions"
/// otherwise); channel names at most 50 characters without forbidden characters, unique per team
/// (400 otherwise); <c>members/add</c> answers per member; <c>onlineMeetings/createOrGet</c> answers 201
/// for a new external id and 200 with the same meeting for a known one.
/// </summary>
public sealed class GraphStandIn : IAsyncDisposable
{
    public const string AccessToken = "graph-access-token";
    public const string TeamId = "5f2b6a3c-1d4e-4f70-9a8b-7c6d5e4f3a2b";
    public const string OrganizerId = "0c0c0000-5e1f-4c2b-9a7d-00000000c0c0";
    private const string Forbidden = "~#%&*{}+/\\:<>?|'\",";

    private readonly object _gate = new();
    private readonly string _tenant;
    private readonly string _clientId;
    private readonly string _secret;
    private RecordingServer _server = null!;

    private GraphStandIn(string tenant, string clientId, string secret, IEnumerable<string> granted)
    {
        _tenant = tenant;
        _clientId = clientId;
        _secret = secret;
        Granted = new HashSet<string>(granted, StringComparer.Ordinal);
    }

    /// <summary>The application permissions the app was granted (admin-consented).</summary>
    public HashSet<string> Granted { get; }

    public List<JsonObject> Channels { get; } = [];
    public HashSet<string> TeamMembers { get; } = [];
    public Dictionary<string, JsonObject> Meetings { get; } = [];

    /// <summary>The next channel create succeeds but its answer is lost (503): the caller never learns of it.</summary>
    public bool LoseNextCreateAnswer { get; set; }

    public Uri BaseUrl => _server.BaseUrl;
    public Uri GraphUrl => new(_server.BaseUrl, "v1.0/");
    public IReadOnlyList<ReceivedRequest> Requests => _server.Requests;

    public static readonly string[] AllPermissions = ["Channel.Create", "Channel.ReadBasic.All", "TeamMember.ReadWrite.All", "OnlineMeetings.ReadWrite.All"];

    public static async Task<GraphStandIn> StartAsync(X509Certificate2 certificate, string tenant, string clientId, string secret, IEnumerable<string> granted)
    {
        var standIn = new GraphStandIn(tenant, clientId, secret, granted);
        standIn._server = await RecordingServer.StartAsync(standIn.Answer, certificate);
        return standIn;
    }

    private StandInAnswer Answer(ReceivedRequest request)
    {
        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments is [var tenant, "oauth2", "v2.0", "token"] && request.Method == "POST")
            return Token(tenant, request);
        if (request.Authorization != "Bearer " + AccessToken)
            return Error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.");
        lock (_gate)
        {
            return segments switch
            {
                ["v1.0", "teams", TeamId, "channels"] when request.Method == "GET" => Permitted("Channel.ReadBasic.All") ?? ListChannels(request),
                ["v1.0", "teams", TeamId, "channels"] when request.Method == "POST" => Permitted("Channel.Create") ?? CreateChannel(request),
                ["v1.0", "teams", TeamId, "members", "add"] when request.Method == "POST" => Permitted("TeamMember.ReadWrite.All") ?? AddMembers(request),
                ["v1.0", "users", OrganizerId, "onlineMeetings", "createOrGet"] when request.Method == "POST" => Permitted("OnlineMeetings.ReadWrite.All") ?? Meeting(request),
                _ => Error(404, "NotFound", $"Resource not found for the segment '{request.Path}'."),
            };
        }
    }

    private StandInAnswer Token(string tenant, ReceivedRequest request)
    {
        var form = QueryHelpers.ParseQuery(request.Body);
        if (tenant != _tenant || form["grant_type"] != "client_credentials" || form["client_id"] != _clientId || form["client_secret"] != _secret)
            return new(401, """{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}""");
        if (form["scope"] != new Uri(_server.BaseUrl, "/.default").ToString())
            return new(400, """{"error":"invalid_scope","error_description":"AADSTS1002012: The provided value for scope is not valid."}""");
        return new(200, new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3600, ["ext_expires_in"] = 3600, ["access_token"] = AccessToken }.ToJsonString());
    }

    private StandInAnswer? Permitted(string permission) => Granted.Contains(permission)
        ? null
        : Error(403, "Forbidden", $"Missing role permissions on the request. API requires one of '{permission}'. Roles on the request '{string.Join(",", Granted)}'.");

    private StandInAnswer ListChannels(ReceivedRequest request)
    {
        var filter = (string?)QueryHelpers.ParseQuery(request.Query)["$filter"] ?? "";
        const string prefix = "displayName eq '";
        var matching = filter.StartsWith(prefix, StringComparison.Ordinal) && filter.EndsWith('\'')
            ? Channels.Where(c => (string)c["displayName"]! == filter[prefix.Length..^1].Replace("''", "'", StringComparison.Ordinal))
            : Channels;
        return new(200, new JsonObject { ["value"] = new JsonArray(matching.Select(c => (JsonNode)c.DeepClone()).ToArray()) }.ToJsonString());
    }

    private StandInAnswer CreateChannel(ReceivedRequest request)
    {
        var body = request.Json;
        var name = (string?)body["displayName"] ?? "";
        if (name.Length is 0 or > 50 || name.Any(c => Forbidden.Contains(c, StringComparison.Ordinal)) || System.Text.RegularExpressions.Regex.IsMatch(name, @"\.{2}"))
            return Error(400, "BadRequest", "Channel name is invalid.");
        if ((string?)body["membershipType"] is not (null or "standard"))
            return Error(400, "BadRequest", "Only standard channels are expected here.");
        if (Channels.Any(c => string.Equals((string)c["displayName"]!, name, StringComparison.OrdinalIgnoreCase)))
            return Error(400, "BadRequest", "Channel name already existed, please use other name.");
        var id = $"19:{Guid.NewGuid():N}@thread.tacv2";
        var channel = new JsonObject
        {
            ["id"] = id,
            ["displayName"] = name,
            ["description"] = (string?)body["description"],
            ["membershipType"] = "standard",
            ["webUrl"] = $"https://teams.microsoft.com/l/channel/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(name)}?groupId={TeamId}&tenantId={_tenant}",
        };
        Channels.Add(channel);
        if (LoseNextCreateAnswer)
        {
            LoseNextCreateAnswer = false;
            return Error(503, "ServiceUnavailable", "The answer was lost on the way back.");
        }
        return new(201, channel.ToJsonString());
    }

    private StandInAnswer AddMembers(ReceivedRequest request)
    {
        var results = new JsonArray();
        foreach (var member in request.Json["values"]?.AsArray() ?? [])
        {
            var bind = (string?)member?["user@odata.bind"] ?? "";
            if ((string?)member?["@odata.type"] != "microsoft.graph.aadUserConversationMember" || !bind.StartsWith(GraphUrl + "users('", StringComparison.Ordinal))
                return Error(400, "BadRequest", "Each value must be an aadUserConversationMember bound to a user.");
            var userId = bind[(GraphUrl + "users('").Length..^2];
            TeamMembers.Add(userId);
            results.Add(new JsonObject { ["@odata.type"] = "#microsoft.graph.aadUserConversationMemberResult", ["userId"] = userId, ["error"] = null });
        }
        return new(200, new JsonObject { ["value"] = results }.ToJsonString());
    }

    private StandInAnswer Meeting(ReceivedRequest request)
    {
        var body = request.Json;
        if ((string?)body["externalId"] is not { Length: > 0 } externalId)
            return Error(400, "BadRequest", "externalId is required.");
        if (Meetings.TryGetValue(externalId, out var existing))
            return new(200, existing.ToJsonString());
        var meeting = new JsonObject
        {
            ["id"] = $"meeting-{Meetings.Count + 1}",
            ["externalId"] = externalId,
            ["subject"] = (string?)body["subject"],
            ["startDateTime"] = (string?)body["startDateTime"],
            ["endDateTime"] = (string?)body["endDateTime"],
            ["joinWebUrl"] = $"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{Meetings.Count + 1}%40thread.v2/0",
            ["participants"] = body["participants"]?.DeepClone(),
        };
        Meetings[externalId] = meeting;
        return new(201, meeting.ToJsonString());
    }

    private static StandInAnswer Error(int status, string code, string message) => new(status, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["innerError"] = new JsonObject { ["date"] = "2026-11-28T00:00:00", ["request-id"] = Guid.NewGuid().ToString(), ["client-request-id"] = Guid.NewGuid().ToString() },
        },
    }.ToJsonString());

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
