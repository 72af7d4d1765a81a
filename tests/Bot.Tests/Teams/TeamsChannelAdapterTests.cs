using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Teams;
using DrBot.Bot.Tests.Teams.Support;
using DrBot.Runbooks.People;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Bot.Tests.Teams;

/// <summary>Outbound posts through the Connector stand-in, after a real install event over HTTP.</summary>
public sealed class TeamsChannelAdapterTests : IClassFixture<TeamsBotFixture>
{
    private const string IncidentChannel = "19:incident-response@thread.tacv2";
    private readonly TeamsBotFixture _bot;
    private readonly TeamsChannelAdapter _adapter;

    public TeamsChannelAdapterTests(TeamsBotFixture bot)
    {
        _bot = bot;
        _bot.Reset();
        _adapter = bot.Services.GetRequiredService<TeamsChannelAdapter>();
    }

    private static CardDocument AlertCard => new("Primary database down", "Primary database down in east-us", CardTone.Attention,
        Blocks: [new FactsBlock([new Fact("Region", "east-us")])],
        Buttons: [new CardButton("Start failover", "start-runbook", new Dictionary<string, string> { ["runbook"] = "region-failover" })]);

    [Fact]
    public async Task Before_any_install_the_post_waits_for_a_channel_instead_of_failing()
    {
        var result = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, result.Status);
        Assert.Empty(_bot.StandIn.ConnectorCalls);
    }

    [Fact]
    public async Task After_the_install_event_a_proactive_post_creates_a_thread_in_the_remembered_channel()
    {
        await InstallAsync();

        var result = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var call = Assert.Single(_bot.StandIn.ConnectorCalls);
        Assert.Equal("POST", call.Method);
        Assert.Equal("/connector/v3/conversations", call.RawPath);
        Assert.Equal("Bearer " + BotFrameworkStandIn.ConnectorToken, call.Authorization);
        var body = call.Json;
        Assert.True((bool?)body["isGroup"]);
        Assert.Equal(IncidentChannel, (string?)body["channelData"]?["channel"]?["id"]);
        Assert.Equal(BotFrameworkStandIn.Tenant, (string?)body["channelData"]?["tenant"]?["id"]);
        Assert.Equal(BotFrameworkStandIn.Tenant, (string?)body["tenantId"]);
        var attachment = body["activity"]?["attachments"]?[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment?["contentType"]);
        Assert.Equal("AdaptiveCard", (string?)attachment?["content"]?["type"]);
        Assert.Equal(result.PlatformMessageId, result.ThreadId);
    }

    [Fact]
    public async Task An_update_replaces_the_posted_activity_in_its_thread()
    {
        await InstallAsync();
        var posted = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);

        var updated = await _adapter.UpdateAsync("", posted.PlatformMessageId!, AlertCard with { Title = "Failover approved" }, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, updated.Status);
        var put = _bot.StandIn.ConnectorCalls.Last();
        Assert.Equal("PUT", put.Method);
        var conversation = Uri.EscapeDataString($"{IncidentChannel};messageid={posted.PlatformMessageId}");
        Assert.Equal($"/connector/v3/conversations/{conversation}/activities/{posted.PlatformMessageId}", put.RawPath);
        Assert.Equal("Failover approved", (string?)put.Json["attachments"]?[0]?["content"]?["body"]?[0]?["text"]);
    }

    [Fact]
    public async Task A_status_post_goes_as_a_reply_into_the_incident_thread()
    {
        await InstallAsync();
        var root = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);

        var reply = await _adapter.PostAsync("", root.ThreadId, CardDocument.Text("Status: failover in progress, 6 of 9 steps done."), CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, reply.Status);
        var call = _bot.StandIn.ConnectorCalls.Last();
        var conversation = Uri.EscapeDataString($"{IncidentChannel};messageid={root.ThreadId}");
        Assert.Equal($"/connector/v3/conversations/{conversation}/activities/{root.ThreadId}", call.RawPath);
        Assert.Equal("Status: failover in progress, 6 of 9 steps done.", (string?)call.Json["text"]);
        Assert.Null(call.Json["attachments"]);
    }

    [Fact]
    public async Task Mentioned_people_appear_as_at_text_with_matching_mention_entities()
    {
        await InstallAsync();
        var escalation = AlertCard with { Mentions = TeamsBotFixture.Roster.People };

        await _adapter.PostAsync("", null, escalation, CancellationToken.None);

        var activity = _bot.StandIn.ConnectorCalls.Single().Json["activity"]!;
        Assert.StartsWith("<at>Alice</at> <at>Bob</at>", (string?)activity["text"], StringComparison.Ordinal);
        var entities = activity["entities"]!.AsArray();
        Assert.Equal(2, entities.Count);
        Assert.Equal("mention", (string?)entities[0]?["type"]);
        Assert.Equal("<at>Alice</at>", (string?)entities[0]?["text"]);
        Assert.Equal(TeamsBotFixture.AliceAad, (string?)entities[0]?["mentioned"]?["id"]);
    }

    [Fact]
    public async Task A_card_that_mentions_people_itself_is_not_mentioned_twice_in_the_message()
    {
        await InstallAsync();
        var renderer = new MentioningRenderer();
        var messages = new TeamsMessages(renderer, _bot.Services.GetRequiredService<TeamsConversations>());

        var activity = await messages.MessageAsync(AlertCard with { Mentions = TeamsBotFixture.Roster.People }, CancellationToken.None);

        Assert.Null(activity["entities"]);
        Assert.Null(activity["text"]);
        Assert.Equal(2, activity["attachments"]?[0]?["content"]?["msteams"]?["entities"]?.AsArray().Count);
    }

    [Fact]
    public async Task The_approvers_refresh_view_names_their_Teams_user_ids()
    {
        await InstallAsync();
        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> status", TeamsBotFixture.BobAad, id: "bob-speaks"), _bot.ValidToken());
        _bot.StandIn.Reset();
        var gate = AlertCard with { Refresh = new CardRefresh("refresh-gate", new Dictionary<string, string> { ["runId"] = "R-7" }, TeamsBotFixture.Roster.WithRole(Roles.Lead)) };

        await _adapter.PostAsync("", null, gate, CancellationToken.None);

        var refresh = _bot.StandIn.ConnectorCalls.Single().Json["activity"]?["attachments"]?[0]?["content"]?["refresh"];
        Assert.Equal(["29:user-aad-bob"], refresh?["userIds"]?.AsArray().Select(id => (string?)id));
    }

    [Fact]
    public async Task A_rate_limited_post_is_retried_after_the_time_the_Connector_asks_for()
    {
        await InstallAsync();
        _bot.StandIn.ScriptConnector((429, "7"));

        var result = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
    }

    [Fact]
    public async Task A_Connector_server_error_is_retried_and_a_client_error_is_given_up()
    {
        await InstallAsync();
        _bot.StandIn.ScriptConnector((500, null), (503, null), (404, null));

        var first = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);
        var second = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);
        var third = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);
        var fourth = await _adapter.PostAsync("", null, AlertCard, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Retry, first.Status);
        Assert.Equal(DeliveryStatus.Retry, second.Status);
        Assert.Equal(DeliveryStatus.PermanentFailure, third.Status);
        Assert.Equal(DeliveryStatus.Delivered, fourth.Status);
        Assert.Equal(4, _bot.StandIn.ConnectorCalls.Count);
    }

    [Fact]
    public async Task A_conversation_seen_inbound_is_posted_to_at_its_own_serviceUrl()
    {
        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad, id: "seen-1", conversation: "a:personal-chat"), _bot.ValidToken());
        _bot.StandIn.Reset();

        var result = await _adapter.PostAsync("a:personal-chat", null, CardDocument.Text("Runbook R-7 finished."), CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal("/connector/v3/conversations/a%3Apersonal-chat/activities", _bot.StandIn.ConnectorCalls.Single().RawPath);
    }

    [Fact]
    public async Task The_war_room_is_a_thread_in_the_incident_channel_that_mentions_its_members()
    {
        await InstallAsync();

        var result = await _adapter.OpenWarRoomAsync("INC-3", "East US outage", TeamsBotFixture.Roster.People, CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.StartsWith(IncidentChannel + ";messageid=", result.PlatformMessageId, StringComparison.Ordinal);
        Assert.Equal(2, _bot.StandIn.ConnectorCalls.Single().Json["activity"]?["entities"]?.AsArray().Count);
    }

    [Fact]
    public async Task Being_added_as_someone_else_than_the_bot_remembers_nothing()
    {
        var update = InstallEvent();
        update["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "29:new-colleague" });

        var response = await _bot.PostActivityAsync(update, _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(await _bot.Store.GetValueAsync("teams:install", CancellationToken.None));
    }

    private async Task InstallAsync()
    {
        var response = await _bot.PostActivityAsync(InstallEvent(), _bot.ValidToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_bot.StandIn.ConnectorCalls);
    }

    private JsonObject InstallEvent() => new()
    {
        ["type"] = "conversationUpdate",
        ["id"] = "install-1",
        ["channelId"] = "msteams",
        ["serviceUrl"] = _bot.StandIn.ServiceUrl,
        ["from"] = new JsonObject { ["id"] = "29:installer", ["aadObjectId"] = TeamsBotFixture.BobAad },
        ["recipient"] = new JsonObject { ["id"] = TeamsBotFixture.BotAccountId, ["name"] = "DrBot" },
        ["conversation"] = new JsonObject { ["id"] = IncidentChannel, ["conversationType"] = "channel", ["isGroup"] = true, ["tenantId"] = BotFrameworkStandIn.Tenant },
        ["membersAdded"] = new JsonArray(new JsonObject { ["id"] = TeamsBotFixture.BotAccountId }),
        ["channelData"] = new JsonObject
        {
            ["eventType"] = "teamMemberAdded",
            ["tenant"] = new JsonObject { ["id"] = BotFrameworkStandIn.Tenant },
            ["team"] = new JsonObject { ["id"] = "19:team-general@thread.tacv2", ["name"] = "Platform" },
            ["channel"] = new JsonObject { ["id"] = IncidentChannel, ["name"] = "incident-response" },
        },
    };

    /// <summary>Renders mentions inside the card, as the real Adaptive Card renderer does.</summary>
    private sealed class MentioningRenderer : IAdaptiveCardRenderer
    {
        public JsonObject Render(CardDocument card) => new()
        {
            ["type"] = "AdaptiveCard",
            ["version"] = "1.5",
            ["msteams"] = new JsonObject
            {
                ["entities"] = new JsonArray([.. card.MentionedPeople.Select(p => (JsonNode)new JsonObject { ["type"] = "mention", ["text"] = $"<at>{p.DisplayName}</at>" })]),
            },
        };
    }
}
