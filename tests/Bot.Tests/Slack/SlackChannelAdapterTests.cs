using DrBot.Bot;
using DrBot.Bot.Tests.Support;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Tests.Cards.BlockKit;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Slack;

/// <summary>The adapter against a local stand-in for slack.com/api that records every call.</summary>
public sealed class SlackChannelAdapterTests : IAsyncLifetime
{
    private SlackApiStub _stub = null!;
    private ServiceProvider _services = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();

    private SlackChannelAdapter Adapter => _services.GetRequiredService<SlackChannelAdapter>();

    public async Task InitializeAsync()
    {
        _stub = await SlackApiStub.StartAsync();
        _services = Build(_stub.ApiBase.ToString(), SlackBotHost.Token);
    }

    private ServiceProvider Build(string apiBase, string token)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Slack:SigningSecret"] = SlackBotHost.Secret,
            ["DrBot:Slack:BotToken"] = token,
            ["DrBot:Slack:ChannelId"] = SlackBotHost.IncidentChannel,
            ["DrBot:Slack:ApiBaseUrl"] = apiBase,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(new Roster([SlackBotHost.Alice, SlackBotHost.Bob]));
        services.AddSingleton<IIdempotencyStore>(new InMemoryIdempotencyStore());
        services.AddSlackChannel(configuration);
        return services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _stub.DisposeAsync();
    }

    private static void AssertValidBlockKit(SlackApiStub.Call call) =>
        BlockKitShape.AssertValid(new JsonObject { ["text"] = call.Json["text"]?.DeepClone(), ["blocks"] = call.Json["blocks"]?.DeepClone() });

    [Fact]
    public async Task A_post_to_the_default_conversation_goes_to_the_incident_channel_as_valid_block_kit()
    {
        var result = await Adapter.PostAsync("", null, BlockKitRendererTests.ApprovalCard(), CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var call = Assert.Single(_stub.Calls);
        Assert.Equal("chat.postMessage", call.Method);
        Assert.Equal($"Bearer {SlackBotHost.Token}", call.Authorization);
        Assert.StartsWith("application/json", call.ContentType, StringComparison.Ordinal);
        Assert.Equal(SlackBotHost.IncidentChannel, (string?)call.Json["channel"]);
        Assert.Null(call.Json["thread_ts"]);
        AssertValidBlockKit(call);
        Assert.Contains(call.Json["blocks"]!.AsArray(), b => (string?)b!["type"] == "actions");
        Assert.Equal("1700000000.000001", result.PlatformMessageId);
        Assert.Equal(result.PlatformMessageId, result.ThreadId);
    }

    [Fact]
    public async Task A_post_into_a_thread_carries_thread_ts()
    {
        var result = await Adapter.PostAsync("C0OTHER", "1700000000.000042", CardDocument.Text("Status: mitigating"), CancellationToken.None);
        var call = Assert.Single(_stub.Calls);
        Assert.Equal("C0OTHER", (string?)call.Json["channel"]);
        Assert.Equal("1700000000.000042", (string?)call.Json["thread_ts"]);
        Assert.Equal("Status: mitigating", (string?)call.Json["text"]);
        AssertValidBlockKit(call);
        Assert.Equal("1700000000.000042", result.ThreadId);
    }

    [Fact]
    public async Task An_update_replaces_the_message_in_place()
    {
        var result = await Adapter.UpdateAsync("", "1700000000.000007", BlockKitRendererTests.ApprovalCard(), CancellationToken.None);
        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var call = Assert.Single(_stub.Calls);
        Assert.Equal("chat.update", call.Method);
        Assert.Equal(SlackBotHost.IncidentChannel, (string?)call.Json["channel"]);
        Assert.Equal("1700000000.000007", (string?)call.Json["ts"]);
        AssertValidBlockKit(call);
        Assert.Equal("1700000000.000007", result.PlatformMessageId);
    }

    [Fact]
    public async Task A_private_post_is_ephemeral_to_one_user()
    {
        var result = await Adapter.PostPrivateAsync("", "U0BOB", CardDocument.Text("You cannot approve your own run."), CancellationToken.None);
        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        var call = Assert.Single(_stub.Calls);
        Assert.Equal("chat.postEphemeral", call.Method);
        Assert.Equal("U0BOB", (string?)call.Json["user"]);
        Assert.Equal(SlackBotHost.IncidentChannel, (string?)call.Json["channel"]);
        AssertValidBlockKit(call);
    }

    [Fact]
    public async Task A_war_room_is_created_with_a_slack_safe_name_and_the_people_with_slack_ids_are_invited()
    {
        var carol = Person.Of("carol", "Carol", [Roles.Lead], null, null);
        var result = await Adapter.OpenWarRoomAsync("INC-0001", "Database down", [SlackBotHost.Alice, SlackBotHost.Bob, carol], CancellationToken.None);

        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal("C0WARROOM", result.PlatformMessageId);
        var create = _stub.Calls[0];
        Assert.Equal("conversations.create", create.Method);
        Assert.Equal("inc-0001-database-down", (string?)create.Json["name"]);
        Assert.False((bool)create.Json["is_private"]!);
        var invite = _stub.Calls[1];
        Assert.Equal("conversations.invite", invite.Method);
        Assert.Equal("C0WARROOM", (string?)invite.Json["channel"]);
        Assert.Equal("U0ALICE,U0BOB", (string?)invite.Json["users"]);
    }

    [Fact]
    public async Task A_taken_war_room_name_gets_a_suffix_and_a_retry_reuses_the_room()
    {
        _stub.Override = c => c.Method == "conversations.create" && (string?)c.Json["name"] == "inc-0002-outage" ? StubAnswer.Error("name_taken") : null;

        var first = await Adapter.OpenWarRoomAsync("INC-0002", "Outage", [SlackBotHost.Bob], CancellationToken.None);
        var again = await Adapter.OpenWarRoomAsync("INC-0002", "Outage", [SlackBotHost.Bob], CancellationToken.None);

        Assert.Equal(["inc-0002-outage", "inc-0002-outage-2"], _stub.Calls.Where(c => c.Method == "conversations.create").Select(c => (string?)c.Json["name"]));
        Assert.Equal(first.PlatformMessageId, again.PlatformMessageId);
        Assert.Equal(2, _stub.Calls.Count(c => c.Method == "conversations.invite"));
    }

    [Fact]
    public async Task Too_many_requests_is_retried_after_the_seconds_slack_asks_for()
    {
        _stub.Override = _ => new StubAnswer(429, """{"ok":false,"error":"ratelimited"}""", new Dictionary<string, string> { ["Retry-After"] = "2" });
        var result = await Adapter.PostAsync("", null, CardDocument.Text("hello"), CancellationToken.None);
        Assert.Equal(DeliveryStatus.Retry, result.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), result.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_server_error_is_retried(int status)
    {
        _stub.Override = _ => new StubAnswer(status, "oops");
        var result = await Adapter.UpdateAsync("", "1.2", CardDocument.Text("hello"), CancellationToken.None);
        Assert.Equal(DeliveryStatus.Retry, result.Status);
    }

    [Theory]
    [InlineData("ratelimited", DeliveryStatus.Retry)]
    [InlineData("service_unavailable", DeliveryStatus.Retry)]
    [InlineData("fatal_error", DeliveryStatus.Retry)]
    [InlineData("internal_error", DeliveryStatus.Retry)]
    [InlineData("request_timeout", DeliveryStatus.Retry)]
    [InlineData("channel_not_found", DeliveryStatus.PermanentFailure)]
    [InlineData("invalid_blocks", DeliveryStatus.PermanentFailure)]
    [InlineData("not_authed", DeliveryStatus.PermanentFailure)]
    public async Task Slack_errors_are_retried_only_when_retrying_can_help(string error, DeliveryStatus expected)
    {
        _stub.Override = _ => StubAnswer.Error(error);
        var result = await Adapter.PostAsync("", null, CardDocument.Text("hello"), CancellationToken.None);
        Assert.Equal(expected, result.Status);
        Assert.Equal($"chat.postMessage: {error}", result.Error);
        Assert.Contains(_logs.Lines, l => l.Contains($"[{HostLogEvents.SlackApiNotOk}]", StringComparison.Ordinal) && l.Contains("chat.postMessage", StringComparison.Ordinal) && l.Contains(error, StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(SlackBotHost.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slack_out_of_reach_is_retried()
    {
        await using var unreachable = Build("http://127.0.0.1:1/api/", SlackBotHost.Token);
        var result = await unreachable.GetRequiredService<SlackChannelAdapter>().PostAsync("", null, CardDocument.Text("hello"), CancellationToken.None);
        Assert.Equal(DeliveryStatus.Retry, result.Status);
    }

    [Fact]
    public async Task Without_a_bot_token_nothing_is_sent_and_the_failure_is_permanent()
    {
        await using var unconfigured = Build(_stub.ApiBase.ToString(), "");
        var result = await unconfigured.GetRequiredService<SlackChannelAdapter>().PostAsync("", null, CardDocument.Text("hello"), CancellationToken.None);
        Assert.Equal(DeliveryStatus.PermanentFailure, result.Status);
        Assert.Empty(_stub.Calls);
    }

    [Fact]
    public async Task Users_info_asks_with_a_form_body_and_gives_the_display_name()
    {
        var name = await Adapter.GetUserNameAsync("U0BOB", CancellationToken.None);
        Assert.Equal("bobby", name);
        var call = Assert.Single(_stub.Calls);
        Assert.Equal("users.info", call.Method);
        Assert.Equal("U0BOB", call.Form["user"]);
    }

    [Fact]
    public async Task Posts_to_one_channel_are_paced_one_per_second_while_other_channels_go_on()
    {
        await Adapter.PostAsync("C0PACED", null, CardDocument.Text("one"), CancellationToken.None);
        var second = Adapter.PostAsync("C0PACED", null, CardDocument.Text("two"), CancellationToken.None);
        await Adapter.PostAsync("C0ELSEWHERE", null, CardDocument.Text("other"), CancellationToken.None);

        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        Assert.Single(_stub.Calls, c => (string?)c.Json["channel"] == "C0PACED");

        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(DeliveryStatus.Delivered, result.Status);
        Assert.Equal(["one", "two"], _stub.Calls.Where(c => (string?)c.Json["channel"] == "C0PACED").Select(c => (string?)c.Json["text"]));
    }
}
