using DrBot.Bot;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Bot.Tests.Slack;

/// <summary>The Slack endpoints over real HTTP, with a local stand-in for slack.com and response_url.</summary>
public sealed class SlackEndpointTests : IAsyncLifetime
{
    private SlackApiStub _stub = null!;
    private SlackBotHost _bot = null!;

    public async Task InitializeAsync()
    {
        _stub = await SlackApiStub.StartAsync();
        _bot = await SlackBotHost.StartAsync(_stub);
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _stub.DisposeAsync();
    }

    private string Command(string command, string text, string userId = "U0ALICE", string trigger = "trig-1") =>
        SlackBotHost.CommandBody(command, text, userId, "alice", trigger, _stub.ResponseUrl(trigger));

    [Fact]
    public async Task A_signed_failover_command_reaches_the_handler_as_the_roster_person_and_is_answered_in_channel()
    {
        using var response = await _bot.PostSignedAsync("/api/slack/commands", Command("/failover", "west-us"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("in_channel", (string?)answer["response_type"]);
        Assert.Equal("ok: failover west-us", (string?)answer["text"]);

        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Equal("slack", input.Channel);
        Assert.Equal(SlackBotHost.IncidentChannel, input.Conversation);
        Assert.Equal("failover west-us", input.Text);
        Assert.Equal(SlackBotHost.Alice, input.User.Person);
        Assert.Equal("U0ALICE", input.User.PlatformUserId);
        Assert.Equal("slack:command:trig-1", input.DeliveryId);
        Assert.Null(input.Action);
    }

    [Fact]
    public async Task A_private_reply_is_ephemeral()
    {
        _bot.Handler.Respond = (_, _) => Task.FromResult(ChatReply.PrivateText("Only people on the roster may start runbooks."));
        using var response = await _bot.PostSignedAsync("/api/slack/commands", Command("/drbot", "failover west-us", userId: "U0STRANGER"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)answer["response_type"]);
        Assert.Equal("Only people on the roster may start runbooks.", (string?)answer["text"]);
        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Null(input.User.Person);
        Assert.Equal("failover west-us", input.Text);
    }

    [Fact]
    public async Task A_command_that_is_not_drbots_gets_usage_help_and_never_reaches_the_handler()
    {
        using var response = await _bot.PostSignedAsync("/api/slack/commands", Command("/giphy", "cats"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)answer["response_type"]);
        Assert.Contains("/failover <region>", (string?)answer["text"], StringComparison.Ordinal);
        Assert.Empty(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task A_slow_handler_is_acknowledged_within_three_seconds_and_its_reply_follows_on_the_response_url()
    {
        _bot.Handler.Respond = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), ct);
            return ChatReply.Public("Failover R-1 started");
        };

        var clock = Stopwatch.StartNew();
        using var response = await _bot.PostSignedAsync("/api/slack/commands", Command("/failover", "west-us", trigger: "slow"));
        var acknowledged = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(acknowledged < TimeSpan.FromSeconds(3), $"acknowledged after {acknowledged}");
        var ack = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)ack["response_type"]);

        var late = await _stub.WaitForAsync(c => c.Path == "/response/slow", TimeSpan.FromSeconds(20));
        Assert.Equal("in_channel", (string?)late.Json["response_type"]);
        Assert.Equal("Failover R-1 started", (string?)late.Json["text"]);
        Assert.Null(late.Authorization); // the bot token never goes to a response_url
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(10));
    }

    public static TheoryData<string, string?, long, bool> Refusals => new()
    {
        // name, signing secret used, seconds the timestamp is off, body altered after signing
        { "wrong secret", "not-the-secret", 0, false },
        { "altered body", SlackBotHost.Secret, 0, true },
        { "timestamp 6 minutes old", SlackBotHost.Secret, -360, false },
        { "missing signature header", null, 0, false },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_badly_signed_command_is_refused_with_401_and_nothing_happens(string name, string? secret, long offset, bool alter)
    {
        var body = Command("/failover", "west-us");
        var timestamp = (TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + offset).ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var response = await _bot.PostSignedAsync("/api/slack/commands", body, secret: secret, timestamp: timestamp,
            tweak: alter ? r => r.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["command"] = "/failover", ["text"] = "north-europe", ["user_id"] = "U0ALICE", ["channel_id"] = "C0INCIDENT" }) : null);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, name);
        Assert.Contains("application/problem+json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Empty(_bot.Handler.Inputs);
        Assert.Empty(_stub.Calls);
        Assert.Contains(_bot.Logs.Lines, l => l.Contains($"[{HostLogEvents.SlackRequestRefused}]", StringComparison.Ordinal) && l.Contains("/api/slack/commands", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_both_headers_is_refused_on_every_endpoint()
    {
        foreach (var path in new[] { "/api/slack/commands", "/api/slack/interactions", "/api/slack/events" })
        {
            using var response = await _bot.Client.PostAsync(path, new StringContent("""{"type":"url_verification","challenge":"x"}"""));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Empty(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task Without_a_signing_secret_every_request_is_refused()
    {
        await using var open = await SlackBotHost.StartAsync(_stub, secret: "");
        using var command = await open.PostSignedAsync("/api/slack/commands", Command("/failover", "west-us"), secret: "");
        using var events = await open.PostSignedAsync("/api/slack/events", """{"type":"url_verification","challenge":"x"}""", "application/json", secret: "");
        Assert.Equal(HttpStatusCode.Unauthorized, command.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
        Assert.Empty(open.Handler.Inputs);
        Assert.Empty(_stub.Calls);
    }

    [Fact]
    public async Task The_same_command_delivered_three_times_reaches_the_handler_once()
    {
        var body = Command("/failover", "west-us", trigger: "retried");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var retry = attempt;
            using var response = await _bot.PostSignedAsync("/api/slack/commands", body,
                tweak: r => { if (retry > 0) { r.Headers.Add("X-Slack-Retry-Num", $"{retry}"); r.Headers.Add("X-Slack-Retry-Reason", "http_timeout"); } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Single(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task A_click_reaches_the_handler_with_verb_data_reason_and_message_and_the_refusal_is_private()
    {
        _bot.Handler.Respond = (_, _) => Task.FromResult(ChatReply.PrivateText("You started this run; another lead must approve it."));
        var payload = SlackInboundParsingTests.ClickPayload("U0BOB", "1700000005.000200",
            """{"verb":"approve","runId":"R-7","stepId":"approve","version":"3"}""", "lag under a minute")
            .Replace("\"trigger_id\":\"trig\"", $"\"trigger_id\":\"trig\",\"response_url\":\"{_stub.ResponseUrl("click")}\"", StringComparison.Ordinal);
        var body = SlackBotHost.Form(new Dictionary<string, string> { ["payload"] = payload });

        using var response = await _bot.PostSignedAsync("/api/slack/interactions", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Equal(SlackBotHost.Bob, input.User.Person);
        Assert.Equal("approve", input.Action!.Verb);
        Assert.Equal("1700000000.000001", input.Action.PlatformMessageId);
        Assert.Equal("lag under a minute", input.Action.Data["reason"]);
        Assert.Equal("R-7", input.Action.Data["runId"]);
        Assert.Equal("slack:click:1700000005.000200:U0BOB", input.DeliveryId);

        var reply = await _stub.WaitForAsync(c => c.Path == "/response/click", TimeSpan.FromSeconds(5));
        Assert.Equal("ephemeral", (string?)reply.Json["response_type"]);
        Assert.False((bool)reply.Json["replace_original"]!);
        Assert.Equal("You started this run; another lead must approve it.", (string?)reply.Json["text"]);
    }

    [Fact]
    public async Task A_click_is_acknowledged_at_once_even_when_slack_takes_ten_seconds_to_take_the_reply()
    {
        _stub.Override = _ => new StubAnswer(200, "ok", Delay: TimeSpan.FromSeconds(10));
        var payload = SlackInboundParsingTests.ClickPayload("U0BOB", "1700000007.000400", """{"verb":"approve","runId":"R-7"}""", null)
            .Replace("\"trigger_id\":\"trig\"", $"\"trigger_id\":\"trig\",\"response_url\":\"{_stub.ResponseUrl("slow-click")}\"", StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        using var response = await _bot.PostSignedAsync("/api/slack/interactions", SlackBotHost.Form(new Dictionary<string, string> { ["payload"] = payload }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"acknowledged after {clock.Elapsed}");
        await _stub.WaitForAsync(c => c.Path == "/response/slow-click", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_repeated_click_delivery_reaches_the_handler_once()
    {
        var payload = SlackInboundParsingTests.ClickPayload("U0BOB", "1700000006.000300", """{"verb":"approve","runId":"R-7"}""", null);
        var body = SlackBotHost.Form(new Dictionary<string, string> { ["payload"] = payload });
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _bot.PostSignedAsync("/api/slack/interactions", body)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(_bot.Handler.Inputs);
    }

    [Fact]
    public async Task When_the_store_is_unreachable_the_command_is_refused_and_never_handled()
    {
        await using var bot = await SlackBotHost.StartAsync(_stub, configure: b => b.Services.AddSingleton<IIdempotencyStore, UnreachableStore>());
        using var response = await bot.PostSignedAsync("/api/slack/commands", Command("/failover", "west-us"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)answer["response_type"]);
        Assert.Contains("nothing was done", (string?)answer["text"], StringComparison.Ordinal);
        Assert.Empty(bot.Handler.Inputs);
    }

    [Fact]
    public async Task A_failing_handler_is_answered_privately_with_an_error()
    {
        _bot.Handler.Respond = (_, _) => throw new InvalidOperationException("boom");
        using var response = await _bot.PostSignedAsync("/api/slack/commands", Command("/runbook", "list"));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("ephemeral", (string?)answer["response_type"]);
        Assert.Contains("went wrong", (string?)answer["text"], StringComparison.Ordinal);
        Assert.Contains(_bot.Logs.Lines, l => l.Contains($"[{HostLogEvents.SlackInputFailed}]", StringComparison.Ordinal) && l.Contains("boom", StringComparison.Ordinal));
    }

    private sealed class UnreachableStore : IIdempotencyStore
    {
        public Task<bool> TryClaimIdempotencyKeyAsync(string key, DateTimeOffset at, CancellationToken cancellationToken) =>
            throw new StoreUnavailableException("connection refused");
        public Task SetValueAsync(string key, string value, CancellationToken cancellationToken) => throw new StoreUnavailableException("connection refused");
        public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) => throw new StoreUnavailableException("connection refused");
    }

    [Fact]
    public async Task The_events_url_verification_answers_the_challenge()
    {
        using var response = await _bot.PostSignedAsync("/api/slack/events", """{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}""", "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["challenge"]);
    }

    [Fact]
    public async Task A_mention_is_routed_without_the_bot_mention_once_despite_retries_and_answered_in_its_thread()
    {
        var body = """{"type":"event_callback","event_id":"Ev0MENTION","event":{"type":"app_mention","user":"U0ALICE","channel":"C0INCIDENT","text":"<@U0DRBOT> failover west-us","ts":"1700000010.000100","thread_ts":"1700000009.000001"}}""";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var retry = attempt;
            var clock = Stopwatch.StartNew();
            using var response = await _bot.PostSignedAsync("/api/slack/events", body, "application/json",
                tweak: r => { if (retry > 0) { r.Headers.Add("X-Slack-Retry-Num", $"{retry}"); } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
        }

        var post = await _stub.WaitForAsync(c => c.Method == "chat.postMessage", TimeSpan.FromSeconds(5));
        var input = Assert.Single(_bot.Handler.Inputs);
        Assert.Equal("failover west-us", input.Text);
        Assert.Equal(SlackBotHost.Alice, input.User.Person);
        Assert.Equal("1700000009.000001", input.ThreadId);
        Assert.Equal("C0INCIDENT", (string?)post.Json["channel"]);
        Assert.Equal("1700000009.000001", (string?)post.Json["thread_ts"]);
        Assert.Equal($"Bearer {SlackBotHost.Token}", post.Authorization);
        await Task.Delay(300);
        Assert.Single(_stub.Calls, c => c.Method == "chat.postMessage");
    }

    [Fact]
    public async Task The_bot_token_never_appears_in_the_log()
    {
        _stub.Override = c => c.Method == "chat.postMessage" ? StubAnswer.Error("not_in_channel") : null;
        var body = """{"type":"event_callback","event_id":"Ev0LOG","event":{"type":"app_mention","user":"U0ALICE","channel":"C0INCIDENT","text":"<@U0DRBOT> help","ts":"1.1"}}""";
        using var response = await _bot.PostSignedAsync("/api/slack/events", body, "application/json");
        await _stub.WaitForAsync(c => c.Method == "chat.postMessage", TimeSpan.FromSeconds(5));
        // The refusal is logged once the stub's answer is read: wait for it rather than guess how long that takes.
        bool Logged() => _bot.Logs.Lines.Any(l => l.Contains("chat.postMessage", StringComparison.Ordinal) && l.Contains("not_in_channel", StringComparison.Ordinal));
        for (var waited = 0; waited < 100 && !Logged(); waited++)
            await Task.Delay(50);
        Assert.True(Logged(), string.Join("\n", _bot.Logs.Lines));
        Assert.DoesNotContain(_bot.Logs.Lines, l => l.Contains(SlackBotHost.Token, StringComparison.Ordinal));
    }
}
