using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.Teams;

/// <summary>
/// Signed activities that the Bot Framework really would deliver, but that do not speak for this
/// organisation: another tenant's install, and identities from Web Chat or another tenant.
/// </summary>
public sealed class TenantTrustTests : IClassFixture<TeamsBotFixture>
{
    private const string ForeignTenant = "tenant-of-someone-else";
    private readonly TeamsBotFixture _bot;

    public TenantTrustTests(TeamsBotFixture bot)
    {
        _bot = bot;
        _bot.Reset();
    }

    [Fact]
    public async Task A_web_chat_activity_carrying_a_leads_object_id_is_an_unknown_person()
    {
        var message = _bot.Message("approve run-1 approve-failover", TeamsBotFixture.BobAad, id: "webchat-1");
        message["channelId"] = "webchat";
        var token = TestTokens.Create(_bot.StandIn.WebChatKey, "webchat-key", TeamsBotFixture.AppId, _bot.StandIn.ServiceUrl);

        var response = await _bot.PostActivityAsync(message, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Null(input.User.Person);
    }

    [Fact]
    public async Task A_Teams_activity_from_another_tenant_carrying_a_leads_object_id_is_an_unknown_person()
    {
        var message = _bot.Message("approve run-1 approve-failover", TeamsBotFixture.BobAad, id: "foreign-1");
        message["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = ForeignTenant } };

        await _bot.PostActivityAsync(message, _bot.ValidToken());

        Assert.Null(Assert.Single(_bot.Handler.Inputs).User.Person);
        Assert.Null(await _bot.Store.GetValueAsync("teams:user:" + TeamsBotFixture.BobAad, CancellationToken.None));
    }

    [Fact]
    public async Task The_same_activity_from_this_tenant_is_the_roster_person()
    {
        await _bot.PostActivityAsync(_bot.Message("status", TeamsBotFixture.BobAad, id: "own-1"), _bot.ValidToken());

        Assert.Equal("bob", Assert.Single(_bot.Handler.Inputs).User.Person?.Name);
    }

    [Fact]
    public async Task An_install_from_another_tenant_is_not_remembered_and_is_answered_politely()
    {
        var install = Install("19:their-channel@thread.tacv2", ForeignTenant);

        var response = await _bot.PostActivityAsync(install, _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await _bot.Store.GetValueAsync("teams:install", CancellationToken.None));
        Assert.Null(await _bot.Store.GetValueAsync("teams:serviceurl:19:their-channel@thread.tacv2", CancellationToken.None));
        var notice = Assert.Single(_bot.StandIn.ConnectorCalls);
        Assert.Equal("/connector/v3/conversations/19%3Atheir-channel%40thread.tacv2/activities", notice.RawPath);
        Assert.Contains("not set up for this team", notice.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_install_from_this_tenant_is_remembered()
    {
        await _bot.PostActivityAsync(Install("19:incident@thread.tacv2", BotFrameworkStandIn.Tenant), _bot.ValidToken());

        Assert.Contains("19:incident@thread.tacv2", await _bot.Store.GetValueAsync("teams:install", CancellationToken.None), StringComparison.Ordinal);
        Assert.Empty(_bot.StandIn.ConnectorCalls);
    }

    private JsonObject Install(string channel, string tenant) => new()
    {
        ["type"] = "conversationUpdate",
        ["id"] = "install-" + Guid.NewGuid().ToString("N"),
        ["channelId"] = "msteams",
        ["serviceUrl"] = _bot.StandIn.ServiceUrl,
        ["from"] = new JsonObject { ["id"] = "29:installer", ["aadObjectId"] = "aad-installer" },
        ["recipient"] = new JsonObject { ["id"] = TeamsBotFixture.BotAccountId, ["name"] = "DrBot" },
        ["conversation"] = new JsonObject { ["id"] = channel, ["conversationType"] = "channel", ["isGroup"] = true, ["tenantId"] = tenant },
        ["membersAdded"] = new JsonArray(new JsonObject { ["id"] = TeamsBotFixture.BotAccountId }),
        ["channelData"] = new JsonObject
        {
            ["eventType"] = "teamMemberAdded",
            ["tenant"] = new JsonObject { ["id"] = tenant },
            ["team"] = new JsonObject { ["id"] = "19:their-team@thread.tacv2" },
            ["channel"] = new JsonObject { ["id"] = channel },
        },
    };
}
