using DrBot.Bot.Tests.Support;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Teams;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Teams.Support;

/// <summary>
/// The real ASP.NET pipeline with the Teams endpoints on 127.0.0.1 (free port), configured to trust
/// the stand-in's issuer and keys, with a recording command handler and an in-memory store.
/// </summary>
public sealed class TeamsBotFixture : IAsyncLifetime
{
    public const string AppId = "6b1f3c2e-8d4a-4b7e-9c1a-2f5d7e9a0b3c";
    public const string BotAccountId = "28:" + AppId;
    public const string AliceAad = "aad-alice";
    public const string BobAad = "aad-bob";

    private readonly TestCertificate _certificate = new();
    private WebApplication? _bot;

    public BotFrameworkStandIn StandIn { get; private set; } = null!;
    public RecordingChatInputHandler Handler { get; } = new();
    public InMemoryIdempotencyStore Store { get; } = new();
    public HttpClient Client { get; private set; } = null!;
    public IServiceProvider Services => _bot!.Services;

    public static readonly Roster Roster = new([
        Person.Of("alice", "Alice", [Roles.OnCall], null, AliceAad),
        Person.Of("bob", "Bob", [Roles.Lead], null, BobAad),
    ]);

    public async Task InitializeAsync()
    {
        StandIn = await BotFrameworkStandIn.StartAsync(_certificate);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Teams:AppId"] = AppId,
            ["DrBot:Teams:AppPassword"] = "test-secret",
            ["DrBot:Teams:TenantId"] = BotFrameworkStandIn.Tenant,
            ["DrBot:Teams:OpenIdMetadataUrl"] = StandIn.MetadataUrl,
            ["DrBot:Teams:ValidIssuers:0"] = BotFrameworkStandIn.Issuer,
            ["DrBot:Teams:Authority"] = StandIn.Authority,
            // Short, so the test of a late answer waits a moment, not Bot Framework's 10 s.
            ["DrBot:Teams:ReplyBudget"] = "00:00:01",
        });
        builder.Services.AddSingleton<IChatInputHandler>(Handler);
        builder.Services.AddSingleton<IIdempotencyStore>(Store);
        builder.Services.AddSingleton(Roster);
        builder.Services.AddSingleton<IAdaptiveCardRenderer, TestAdaptiveCardRenderer>();
        builder.Services.AddTeamsChannel(builder.Configuration);
        // Test-only trust: exactly the stand-in's throwaway certificate.
        builder.Services.AddHttpClient(TeamsHttp.ClientName).ConfigurePrimaryHttpMessageHandler(_certificate.TrustingHandler);
        _bot = builder.Build();
        _bot.MapTeamsEndpoints();
        await _bot.StartAsync();
        Client = new HttpClient { BaseAddress = new Uri(_bot.Urls.Single()) };
    }

    public void Reset()
    {
        StandIn.Reset();
        Store.Clear();
        Handler.Inputs.Clear();
        Handler.Answer = _ => ChatReply.Public("ok");
    }

    public string ValidToken() => TestTokens.Create(StandIn.TeamsKey, "msteams-key", AppId, StandIn.ServiceUrl);

    public async Task<HttpResponseMessage> PostActivityAsync(JsonObject activity, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Client.SendAsync(request);
    }

    public JsonObject Message(string text, string aadObjectId, string id = "msg-1", string conversation = "19:incident@thread.tacv2;messageid=root-1") => new()
    {
        ["type"] = "message",
        ["id"] = id,
        ["channelId"] = "msteams",
        ["serviceUrl"] = StandIn.ServiceUrl,
        ["text"] = text,
        ["from"] = new JsonObject { ["id"] = "29:user-" + aadObjectId, ["name"] = aadObjectId, ["aadObjectId"] = aadObjectId },
        ["recipient"] = new JsonObject { ["id"] = BotAccountId, ["name"] = "DrBot" },
        ["conversation"] = new JsonObject { ["id"] = conversation, ["conversationType"] = "channel", ["isGroup"] = true },
        ["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "mention",
            ["text"] = "<at>DrBot</at>",
            ["mentioned"] = new JsonObject { ["id"] = BotAccountId, ["name"] = "DrBot" },
        }),
        ["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = BotFrameworkStandIn.Tenant } },
    };

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_bot is not null)
        {
            await _bot.DisposeAsync();
        }

        await StandIn.DisposeAsync();
        _certificate.Dispose();
    }
}
