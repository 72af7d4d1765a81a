using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.Support;

/// <summary>
/// The real bot process configured as a Teams bot against local HTTPS stand-ins for Microsoft's
/// side (OpenID metadata and keys, token endpoint, Connector), which it trusts through
/// <c>SSL_CERT_FILE</c> = system CAs + a throwaway test CA. Alice (on-call) and Bob (lead) are
/// mapped to Entra object ids; tokens are signed with the stand-in's published test keys.
/// </summary>
public sealed class TeamsBotProcess : IAsyncDisposable
{
    public const string AppId = TeamsBotFixture.AppId;
    public const string BotAccountId = TeamsBotFixture.BotAccountId;
    public const string AliceAad = "0a11ce00-5e1f-4c2b-9a7d-000000000a11";
    public const string BobAad = "0b0b0000-5e1f-4c2b-9a7d-000000000b0b";
    /// <summary>Carol's Teams id, for tests that map her (<c>DrBot__People__carol__Teams</c>): a second lead.</summary>
    public const string CarolAad = "0ca10100-5e1f-4c2b-9a7d-000000000ca1";
    public const string TeamId = "19:team-root@thread.tacv2";
    public const string ChannelId = "19:incident-response@thread.tacv2";

    private readonly TestCertificateAuthority _authority;
    private readonly bool _ownsAuthority;

    private TeamsBotProcess(TestCertificateAuthority authority, bool ownsAuthority, BotFrameworkStandIn cloud, BotProcess bot)
    {
        _authority = authority;
        _ownsAuthority = ownsAuthority;
        Cloud = cloud;
        Bot = bot;
    }

    public BotFrameworkStandIn Cloud { get; }
    public BotProcess Bot { get; }
    public string ServiceUrl => Cloud.ServiceUrl;

    /// <summary>
    /// Starts the stand-in and the bot. Pass <paramref name="sharedAuthority"/> (owned by the caller) when
    /// more HTTPS stand-ins (Microsoft Graph, …) serve certificates the bot must trust too.
    /// </summary>
    public static async Task<TeamsBotProcess> StartAsync(string name, IReadOnlyDictionary<string, string>? settings = null, TestCertificateAuthority? sharedAuthority = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"drbot-{name}-{Guid.NewGuid():N}");
        var authority = sharedAuthority ?? new TestCertificateAuthority();
        var cloud = await BotFrameworkStandIn.StartAsync(authority.ServerCertificate);
        var env = new Dictionary<string, string>
        {
            ["SSL_CERT_FILE"] = authority.WriteTrustBundle(dataDir),
            ["DrBot__Teams__AppId"] = AppId,
            ["DrBot__Teams__AppPassword"] = "test-secret",
            ["DrBot__Teams__TenantId"] = BotFrameworkStandIn.Tenant,
            ["DrBot__Teams__OpenIdMetadataUrl"] = cloud.MetadataUrl,
            ["DrBot__Teams__ValidIssuers__0"] = BotFrameworkStandIn.Issuer,
            ["DrBot__Teams__Authority"] = cloud.Authority,
            ["DrBot__People__alice__Teams"] = AliceAad,
            ["DrBot__People__bob__Teams"] = BobAad,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            env[key] = value;
        try
        {
            return new TeamsBotProcess(authority, sharedAuthority is null, cloud, await BotProcess.StartAsync(dataDir, env));
        }
        catch
        {
            await cloud.DisposeAsync();
            if (sharedAuthority is null)
                authority.Dispose();
            throw;
        }
    }

    /// <summary>A token as the Bot Framework would sign it for this bot and the stand-in's serviceUrl.</summary>
    public string ValidToken() => TestTokens.Create(Cloud.TeamsKey, "msteams-key", AppId, ServiceUrl);

    public async Task<HttpResponseMessage> PostActivityAsync(JsonObject activity, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Bot.Http.SendAsync(request);
    }

    /// <summary>DrBot added to the team: the install event that names the channel for proactive posts.</summary>
    public JsonObject Install(string id = "install-1") => new()
    {
        ["type"] = "conversationUpdate",
        ["id"] = id,
        ["channelId"] = "msteams",
        ["serviceUrl"] = ServiceUrl,
        ["from"] = new JsonObject { ["id"] = "29:user-" + BobAad, ["aadObjectId"] = BobAad },
        ["recipient"] = new JsonObject { ["id"] = BotAccountId, ["name"] = "DrBot" },
        ["conversation"] = new JsonObject { ["id"] = ChannelId, ["conversationType"] = "channel", ["isGroup"] = true, ["tenantId"] = BotFrameworkStandIn.Tenant },
        ["membersAdded"] = new JsonArray(new JsonObject { ["id"] = BotAccountId }),
        ["channelData"] = new JsonObject
        {
            ["eventType"] = "teamMemberAdded",
            ["tenant"] = new JsonObject { ["id"] = BotFrameworkStandIn.Tenant },
            ["team"] = new JsonObject { ["id"] = TeamId, ["name"] = "Platform" },
            ["channel"] = new JsonObject { ["id"] = ChannelId, ["name"] = "incident-response" },
        },
    };

    /// <summary>A person's message in a channel thread, @mentioning the bot as Teams delivers it.</summary>
    public JsonObject Message(string text, string aadObjectId, string id, string? conversation = null) => new()
    {
        ["type"] = "message",
        ["id"] = id,
        ["channelId"] = "msteams",
        ["serviceUrl"] = ServiceUrl,
        ["text"] = text,
        ["from"] = new JsonObject { ["id"] = "29:user-" + aadObjectId, ["name"] = aadObjectId, ["aadObjectId"] = aadObjectId },
        ["recipient"] = new JsonObject { ["id"] = BotAccountId, ["name"] = "DrBot" },
        ["conversation"] = new JsonObject { ["id"] = conversation ?? ChannelId + ";messageid=root-1", ["conversationType"] = "channel", ["isGroup"] = true },
        ["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "mention",
            ["text"] = "<at>DrBot</at>",
            ["mentioned"] = new JsonObject { ["id"] = BotAccountId, ["name"] = "DrBot" },
        }),
        ["channelData"] = new JsonObject
        {
            ["tenant"] = new JsonObject { ["id"] = BotFrameworkStandIn.Tenant },
            ["team"] = new JsonObject { ["id"] = TeamId },
            ["channel"] = new JsonObject { ["id"] = ChannelId },
        },
    };

    /// <summary>An Action.Execute click on the card posted as <paramref name="cardActivityId"/> in <paramref name="conversation"/>.</summary>
    public JsonObject Invoke(string aadObjectId, string id, string conversation, string cardActivityId, string verb, IReadOnlyDictionary<string, string> data)
    {
        var dataJson = new JsonObject();
        foreach (var (key, value) in data)
            dataJson[key] = value;
        var activity = Message("", aadObjectId, id, conversation);
        activity["type"] = "invoke";
        activity["name"] = "adaptiveCard/action";
        activity["replyToId"] = cardActivityId;
        activity.Remove("text");
        activity.Remove("entities");
        activity["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["id"] = verb, ["verb"] = verb, ["data"] = dataJson },
            ["trigger"] = "manual",
        };
        return activity;
    }

    /// <summary>Polls the Connector stand-in's record until a call satisfies the condition.</summary>
    public async Task<RecordedCall> WaitForCallAsync(Func<RecordedCall, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Cloud.ConnectorCalls.FirstOrDefault(condition) is { } found)
                return found;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no Connector call {what} within {timeout}. Calls:\n{Describe()}\nBot output:\n{Bot.Output}");
    }

    public string Describe() => string.Join("\n", Cloud.ConnectorCalls.Select(c => $"{c.Status} {c.Method} {c.RawPath} {Truncate(c.Body)}"));

    private static string Truncate(string body) => body.Length <= 300 ? body : body[..300] + "…";

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Cloud.DisposeAsync();
        if (_ownsAuthority)
            _authority.Dispose();
    }
}

/// <summary>Reading what the bot sent to the Connector.</summary>
public static class ConnectorCalls
{
    /// <summary>The Adaptive Card of a send, update or create-conversation call, or null when it carries none.</summary>
    public static JsonNode? Card(RecordedCall call)
    {
        if (call.Body.Length == 0)
            return null;
        var body = call.Json;
        var activity = body["activity"] as JsonObject ?? body;
        return activity["attachments"]?.AsArray().FirstOrDefault(a => a?["contentType"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive")?["content"];
    }

    /// <summary>Everything a person would read in the call: the text and the card's texts.</summary>
    public static string Text(RecordedCall call)
    {
        if (call.Body.Length == 0)
            return "";
        var body = call.Json;
        var activity = body["activity"] as JsonObject ?? body;
        return (activity["text"]?.GetValue<string>() ?? "") + "\n" + CardJson.Text(Card(call));
    }

    public static bool IsCreateConversation(RecordedCall call) => call is { Method: "POST", RawPath: "/connector/v3/conversations" };

    /// <summary>The activity id a PUT updates (the last path segment, unescaped).</summary>
    public static string UpdatedActivityId(RecordedCall call) => Uri.UnescapeDataString(call.RawPath[(call.RawPath.LastIndexOf('/') + 1)..]);
}
