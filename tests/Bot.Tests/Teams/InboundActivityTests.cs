using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Teams.Support;

namespace DrBot.Bot.Tests.Teams;

/// <summary>Authenticated activities over HTTP: messages, card clicks and repeats.</summary>
public sealed class InboundActivityTests : IClassFixture<TeamsBotFixture>
{
    private readonly TeamsBotFixture _bot;

    public InboundActivityTests(TeamsBotFixture bot)
    {
        _bot = bot;
        _bot.Reset();
    }

    [Fact]
    public async Task A_mention_message_reaches_the_router_without_the_mention_and_from_the_roster_person()
    {
        var response = await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> failover west-us", TeamsBotFixture.AliceAad), _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Equal("failover west-us", input.Text);
        Assert.Equal("teams", input.Channel);
        Assert.Equal("alice", input.User.Person?.Name);
        Assert.Equal("29:user-aad-alice", input.User.PlatformUserId);
        Assert.Equal("19:incident@thread.tacv2;messageid=root-1", input.Conversation);
        Assert.Equal("root-1", input.ThreadId);
        Assert.Equal("msg-1", input.DeliveryId);
        Assert.Null(input.Action);
    }

    [Fact]
    public async Task The_reply_is_posted_in_the_thread_through_the_Connector_with_the_bots_token()
    {
        _bot.Handler.Answer = _ => ChatReply.Public("Starting region failover to west-us.");

        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> failover west-us", TeamsBotFixture.AliceAad), _bot.ValidToken());

        var call = Assert.Single(_bot.StandIn.ConnectorCalls);
        Assert.Equal("POST", call.Method);
        Assert.Equal("/connector/v3/conversations/19%3Aincident%40thread.tacv2%3Bmessageid%3Droot-1/activities/msg-1", call.RawPath);
        Assert.Equal("Bearer " + BotFrameworkStandIn.ConnectorToken, call.Authorization);
        Assert.Equal("message", (string?)call.Json["type"]);
        Assert.Equal("Starting region failover to west-us.", (string?)call.Json["text"]);
    }

    [Fact]
    public async Task An_answer_slower_than_the_reply_budget_is_acknowledged_first_and_posted_in_the_thread_when_it_is_ready()
    {
        using var release = new ManualResetEventSlim();
        _bot.Handler.Answer = _ =>
        {
            release.Wait(TimeSpan.FromMinutes(1));
            return ChatReply.Public("Failover to west-us is under way.");
        };

        var response = await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> failover west-us", TeamsBotFixture.AliceAad), _bot.ValidToken());
        var postedBeforeTheAnswerWasReady = _bot.StandIn.ConnectorCalls.Count;
        release.Set();
        var waited = 0;
        while (_bot.StandIn.ConnectorCalls.IsEmpty && waited++ < 600)
        {
            await Task.Delay(50);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, postedBeforeTheAnswerWasReady);
        var call = Assert.Single(_bot.StandIn.ConnectorCalls);
        Assert.Equal("/connector/v3/conversations/19%3Aincident%40thread.tacv2%3Bmessageid%3Droot-1/activities/msg-1", call.RawPath);
        Assert.Equal("Failover to west-us is under way.", (string?)call.Json["text"]);
    }

    [Fact]
    public async Task The_bots_token_comes_from_the_configured_authority_by_client_credentials()
    {
        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> help", TeamsBotFixture.AliceAad), _bot.ValidToken());
        Assert.Single(_bot.StandIn.ConnectorCalls);

        // MSAL caches the token, so the fixture may have fetched it for an earlier test already.
        var tokenCalls = _bot.StandIn.TokenCalls.ToList();
        Assert.All(tokenCalls, call =>
        {
            Assert.Contains("grant_type=client_credentials", call.Body, StringComparison.Ordinal);
            Assert.Contains("client_id=" + TeamsBotFixture.AppId, call.Body, StringComparison.Ordinal);
            Assert.Contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default", call.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Someone_not_on_the_roster_reaches_the_router_as_an_unknown_person()
    {
        await _bot.PostActivityAsync(_bot.Message("<at>DrBot</at> status", "aad-stranger"), _bot.ValidToken());

        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Null(input.User.Person);
        Assert.Equal("aad-stranger", input.User.DisplayName);
    }

    [Fact]
    public async Task A_repeated_delivery_of_the_same_activity_is_handled_once()
    {
        var message = _bot.Message("<at>DrBot</at> failover west-us", TeamsBotFixture.AliceAad, id: "msg-repeat");

        var first = await _bot.PostActivityAsync(message, _bot.ValidToken());
        var second = await _bot.PostActivityAsync(message, _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(_bot.Handler.Inputs);
        Assert.Single(_bot.StandIn.ConnectorCalls);
    }

    [Fact]
    public async Task An_Action_Submit_fallback_message_becomes_a_card_action()
    {
        var message = _bot.Message("", TeamsBotFixture.BobAad, id: "submit-1");
        message["replyToId"] = "card-activity-7";
        message["value"] = new JsonObject { ["verb"] = "approve", ["runId"] = "R-7", ["stepId"] = "gate", ["version"] = 3, ["reason"] = "lag ok" };

        await _bot.PostActivityAsync(message, _bot.ValidToken());

        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Null(input.Text);
        Assert.NotNull(input.Action);
        Assert.Equal("approve", input.Action.Verb);
        Assert.Equal("R-7", input.Action.Data["runId"]);
        Assert.Equal("3", input.Action.Data["version"]);
        Assert.Equal("lag ok", input.Action.Data["reason"]);
        Assert.False(input.Action.Data.ContainsKey("verb"));
        Assert.Equal("card-activity-7", input.Action.PlatformMessageId);
        Assert.Equal("bob", input.User.Person?.Name);
    }

    [Fact]
    public async Task An_Action_Execute_invoke_answers_with_the_refreshed_card_for_the_clicker()
    {
        _bot.Handler.Answer = _ => ChatReply.Public("Approved", new CardDocument("Gate approved by Bob", "Gate approved by Bob"));

        var response = await _bot.PostActivityAsync(Invoke("invoke-1", TeamsBotFixture.BobAad), _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int?)body["statusCode"]);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)body["type"]);
        Assert.Equal("AdaptiveCard", (string?)body["value"]?["type"]);
        Assert.Equal("Gate approved by Bob", (string?)body["value"]?["body"]?[0]?["text"]);
        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Equal("approve", input.Action?.Verb);
        Assert.Equal("R-7", input.Action?.Data["runId"]);
        Assert.Equal("no lag", input.Action?.Data["reason"]);
        Assert.Equal("card-activity-7", input.Action?.PlatformMessageId);
    }

    [Fact]
    public async Task An_invoke_answered_with_text_only_is_a_message_response()
    {
        _bot.Handler.Answer = _ => ChatReply.PrivateText("Already approved by Carol at 10:02.");

        var response = await _bot.PostActivityAsync(Invoke("invoke-2", TeamsBotFixture.BobAad), _bot.ValidToken());

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int?)body["statusCode"]);
        Assert.Equal("application/vnd.microsoft.activity.message", (string?)body["type"]);
        Assert.Equal("Already approved by Carol at 10:02.", (string?)body["value"]);
    }

    [Fact]
    public async Task A_refused_click_answers_with_the_reason_as_an_error()
    {
        _bot.Handler.Answer = _ => ChatReply.Error("You started this run, so someone else must approve it (four-eyes).");

        var response = await _bot.PostActivityAsync(Invoke("invoke-3", TeamsBotFixture.AliceAad), _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, (int?)body["statusCode"]);
        Assert.Equal("application/vnd.microsoft.error", (string?)body["type"]);
        Assert.Equal("You started this run, so someone else must approve it (four-eyes).", (string?)body["value"]?["message"]);
        Assert.False(string.IsNullOrEmpty((string?)body["value"]?["code"]));
    }

    [Fact]
    public async Task A_double_click_delivered_twice_is_decided_once()
    {
        var first = await _bot.PostActivityAsync(Invoke("invoke-twice", TeamsBotFixture.BobAad), _bot.ValidToken());
        var second = await _bot.PostActivityAsync(Invoke("invoke-twice", TeamsBotFixture.BobAad), _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal("application/vnd.microsoft.activity.message", (string?)body["type"]);
        Assert.Single(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task An_invoke_without_a_verb_is_an_error_and_reaches_nobody()
    {
        var invoke = Invoke("invoke-4", TeamsBotFixture.BobAad);
        invoke["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute" } };

        var response = await _bot.PostActivityAsync(invoke, _bot.ValidToken());

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, (int?)body["statusCode"]);
        Assert.Empty(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task A_body_that_is_not_an_activity_is_a_400_problem()
    {
        using var content = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json");
        var response = await _bot.Client.PostAsync("/api/messages", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task Events_the_bot_does_not_handle_are_acknowledged_and_ignored()
    {
        var typing = _bot.Message("", TeamsBotFixture.AliceAad, id: "typing-1");
        typing["type"] = "typing";

        var response = await _bot.PostActivityAsync(typing, _bot.ValidToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_bot.Handler.Inputs);
        Assert.Empty(_bot.StandIn.ConnectorCalls);
    }

    private JsonObject Invoke(string id, string aadObjectId)
    {
        var invoke = _bot.Message("", aadObjectId, id: id);
        invoke["type"] = "invoke";
        invoke["name"] = "adaptiveCard/action";
        invoke["replyToId"] = "card-activity-7";
        invoke["value"] = new JsonObject
        {
            ["action"] = new JsonObject
            {
                ["type"] = "Action.Execute",
                ["id"] = "approve-button",
                ["verb"] = "approve",
                ["data"] = new JsonObject { ["runId"] = "R-7", ["stepId"] = "gate", ["version"] = "3", ["reason"] = "no lag" },
            },
            ["trigger"] = "manual",
        };
        return invoke;
    }
}
