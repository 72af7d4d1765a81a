using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Channels;
using DrBot.Bot.Integrations;
using DrBot.Bot.Integrations.Opsgenie;
using DrBot.Bot.Integrations.PagerDuty;
using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Bot.Tests.Integrations.Support;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Integrations;

/// <summary>
/// Paging through PagerDuty's Events API v2 and Opsgenie's Alert API, each against a local server
/// that speaks the documented API, with every call going through the bot's durable outbox.
/// </summary>
public sealed class PagingTests
{
    private const string OnCallKey = "0123456789abcdef0123456789abcdef";
    private const string CtoKey = "fedcba9876543210fedcba9876543210";
    private static readonly CancellationToken None = CancellationToken.None;

    private static InProcessBot Bot(params (string Key, string Value)[] settings) =>
        InProcessBot.Create(settings: settings.ToDictionary(s => s.Key, s => (string?)s.Value));

    private static Task<ChatReply> SayAsync(InProcessBot bot, string who, string text) =>
        bot.Get<IChatInputHandler>().HandleAsync(new ChatInput("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null), None);

    /// <summary>Delivery rounds until nothing due is left (retries wait for their time).</summary>
    private static async Task DeliverAsync(InProcessBot bot, OutboxDispatcher dispatcher)
    {
        for (var round = 0; round < 50 && await dispatcher.DeliverDueAsync(None) > 0; round++)
        {
        }
    }

    private static List<string> Actions(RecordingServer server) =>
        server.Requests.Where(r => r.Status == 202).Select(r => $"{(string)r.Json["event_action"]!}:{(string)r.Json["dedup_key"]!}").ToList();

    [Fact]
    public async Task A_p1_triggers_pagerduty_and_chat_acknowledge_and_resolve_follow_it()
    {
        var pagerDuty = new PagerDutyStandIn(OnCallKey);
        await using var server = await RecordingServer.StartAsync(pagerDuty.Answer);
        await using var bot = Bot(("DrBot:PagerDuty:RoutingKey", OnCallKey), ("DrBot:PagerDuty:ApiBaseUrl", server.BaseUrl.ToString()),
            ("DrBot:Paging:IncidentLink", "https://drbot.example.com/status#{id}"));
        var dispatcher = bot.New<OutboxDispatcher>();

        await SayAsync(bot, "alice", "incident open P1 East US is down");
        await DeliverAsync(bot, dispatcher);
        var trigger = Assert.Single(server.Requests).Json;
        Assert.Equal(OnCallKey, (string?)trigger["routing_key"]);
        Assert.Equal("INC-0001", (string?)trigger["dedup_key"]);
        Assert.Equal("critical", (string?)trigger["payload"]!["severity"]);
        Assert.Equal("drbot", (string?)trigger["payload"]!["source"]);
        Assert.Contains("East US is down", (string?)trigger["payload"]!["summary"], StringComparison.Ordinal);
        Assert.Equal("https://drbot.example.com/status#INC-0001", (string?)trigger["links"]![0]!["href"]);
        Assert.Null(server.Requests[0].Authorization);

        await SayAsync(bot, "alice", "ack");
        await SayAsync(bot, "alice", "incident resolve");
        await DeliverAsync(bot, dispatcher);

        Assert.Equal(["trigger:INC-0001", "acknowledge:INC-0001", "resolve:INC-0001"], Actions(server));
        Assert.Equal("resolved", pagerDuty.Incidents[(OnCallKey, "INC-0001")]);
    }

    [Fact]
    public async Task Rate_limits_and_outages_are_retried_with_the_same_dedup_key_and_order_is_kept()
    {
        var pagerDuty = new PagerDutyStandIn(OnCallKey);
        await using var server = await RecordingServer.StartAsync(pagerDuty.Answer);
        server.Outages.Enqueue(new StandInAnswer(429, """{"status":"throttled"}""", new Dictionary<string, string> { ["Retry-After"] = "7" }));
        server.Outages.Enqueue(new StandInAnswer(503, """{"status":"unavailable"}"""));
        await using var bot = Bot(("DrBot:PagerDuty:RoutingKey", OnCallKey), ("DrBot:PagerDuty:ApiBaseUrl", server.BaseUrl.ToString()));
        var dispatcher = bot.New<OutboxDispatcher>();

        await SayAsync(bot, "alice", "incident open P2 Replica far behind");
        await SayAsync(bot, "alice", "ack");
        await DeliverAsync(bot, dispatcher);
        Assert.Equal([429], server.Requests.Select(r => r.Status));

        bot.Time.Advance(TimeSpan.FromSeconds(6));
        await DeliverAsync(bot, dispatcher);
        Assert.Single(server.Requests); // Retry-After 7 s is honoured

        bot.Time.Advance(TimeSpan.FromSeconds(1));
        await DeliverAsync(bot, dispatcher);
        Assert.Equal([429, 503], server.Requests.Select(r => r.Status));

        bot.Time.Advance(TimeSpan.FromMinutes(1));
        await DeliverAsync(bot, dispatcher);
        Assert.Equal([429, 503, 202, 202], server.Requests.Select(r => r.Status));
        // The acknowledge waited behind the trigger; every try of the trigger was the same event.
        Assert.Equal(["trigger:INC-0001", "acknowledge:INC-0001"], Actions(server));
        Assert.Single(server.Requests.Take(3).Select(r => r.Body).Distinct());
        Assert.Equal("error", (string?)server.Requests[2].Json["payload"]!["severity"]);
        Assert.Equal("acknowledged", Assert.Single(pagerDuty.Incidents).Value);
    }

    [Fact]
    public async Task An_unacknowledged_p1_pages_the_cto_service_at_30_minutes()
    {
        var pagerDuty = new PagerDutyStandIn(OnCallKey, CtoKey);
        await using var server = await RecordingServer.StartAsync(pagerDuty.Answer);
        await using var bot = Bot(("DrBot:PagerDuty:RoutingKey", OnCallKey), ("DrBot:PagerDuty:ApiBaseUrl", server.BaseUrl.ToString()),
            ("DrBot:PagerDuty:EscalationRoutingKeys:cto", CtoKey));
        var dispatcher = bot.New<OutboxDispatcher>();
        var timers = bot.Get<TimerService>();

        await SayAsync(bot, "alice", "incident open P1 East US is down");
        bot.Time.Advance(TimeSpan.FromMinutes(16)); // response time passed: a chat reminder, no page
        while (await timers.FireDueAsync(None) > 0) { }
        await DeliverAsync(bot, dispatcher);
        Assert.Equal([OnCallKey], server.Requests.Select(r => (string)r.Json["routing_key"]!));

        bot.Time.Advance(TimeSpan.FromMinutes(15)); // 31 min: escalate to the CTO
        while (await timers.FireDueAsync(None) > 0) { }
        await DeliverAsync(bot, dispatcher);
        var escalation = server.Requests[^1].Json;
        Assert.Equal(CtoKey, (string?)escalation["routing_key"]);
        Assert.Equal("trigger", (string?)escalation["event_action"]);
        Assert.Equal("INC-0001", (string?)escalation["dedup_key"]);
        Assert.Contains("escalated to cto", (string?)escalation["payload"]!["summary"], StringComparison.Ordinal);

        await SayAsync(bot, "carol", "ack");
        await DeliverAsync(bot, dispatcher);
        Assert.Equal("acknowledged", pagerDuty.Incidents[(OnCallKey, "INC-0001")]);
        Assert.Equal("acknowledged", pagerDuty.Incidents[(CtoKey, "INC-0001")]);
    }

    [Fact]
    public async Task P3_and_p4_do_not_page()
    {
        var pagerDuty = new PagerDutyStandIn(OnCallKey);
        await using var server = await RecordingServer.StartAsync(pagerDuty.Answer);
        await using var bot = Bot(("DrBot:PagerDuty:RoutingKey", OnCallKey), ("DrBot:PagerDuty:ApiBaseUrl", server.BaseUrl.ToString()));

        await SayAsync(bot, "alice", "incident open P3 Backups are late");
        await SayAsync(bot, "alice", "incident open P4 Dashboard typo");
        await DeliverAsync(bot, bot.New<OutboxDispatcher>());

        Assert.Empty(server.Requests);
        Assert.NotEmpty(await bot.LocalPostsAsync());
    }

    [Fact]
    public async Task Without_configuration_nothing_is_paged_and_the_start_line_says_so()
    {
        await using var bot = Bot();
        await SayAsync(bot, "alice", "incident open P1 East US is down");

        var outbox = await bot.Store.ListOutboxAsync(undeliveredOnly: false, None);
        Assert.DoesNotContain(outbox, m => m.Channel is PagerDutyIntegration.ChannelName or OpsgenieIntegration.ChannelName);
        Assert.Contains(outbox, m => m.Channel == "local");
        var lines = bot.Get<IEnumerable<IIntegrationStatus>>().ToDictionary(s => s.Name, s => s.Describe());
        Assert.StartsWith("not configured (DrBot:PagerDuty:RoutingKey is empty)", lines["pagerduty"], StringComparison.Ordinal);
        Assert.StartsWith("not configured (DrBot:Opsgenie:ApiKey is empty)", lines["opsgenie"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_routing_key_stops_the_bot_at_start_naming_the_key()
    {
        await using var bot = Bot(("DrBot:PagerDuty:RoutingKey", "short"));
        var error = Assert.ThrowsAny<Microsoft.Extensions.Options.OptionsValidationException>(() => bot.Get<Microsoft.Extensions.Options.IOptions<PagerDutyOptions>>().Value);
        Assert.Contains("DrBot:PagerDuty:RoutingKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opsgenie_alerts_are_created_acknowledged_escalated_and_closed_by_alias()
    {
        var opsgenie = new OpsgenieStandIn("genie-key-1");
        await using var server = await RecordingServer.StartAsync(opsgenie.Answer);
        await using var bot = Bot(("DrBot:Opsgenie:ApiKey", "genie-key-1"), ("DrBot:Opsgenie:ApiBaseUrl", server.BaseUrl.ToString()),
            ("DrBot:Opsgenie:Team", "SRE"), ("DrBot:Opsgenie:Escalations:cto", "CTO escalation"));
        var dispatcher = bot.New<OutboxDispatcher>();

        await SayAsync(bot, "alice", "incident open P1 East US is down");
        bot.Time.Advance(TimeSpan.FromMinutes(31));
        while (await bot.Get<TimerService>().FireDueAsync(None) > 0) { }
        await SayAsync(bot, "alice", "ack");
        await SayAsync(bot, "alice", "incident resolve");
        await DeliverAsync(bot, dispatcher);

        Assert.All(server.Requests, r => Assert.Equal(202, r.Status));
        Assert.All(server.Requests, r => Assert.Equal("GenieKey genie-key-1", r.Authorization));
        Assert.Equal(["/v2/alerts", "/v2/alerts/INC-0001/escalate", "/v2/alerts/INC-0001/acknowledge", "/v2/alerts/INC-0001/close"], server.Requests.Select(r => r.Path));
        var create = server.Requests[0].Json;
        Assert.Equal("INC-0001", (string?)create["alias"]);
        Assert.Equal("P1", (string?)create["priority"]);
        Assert.Equal("SRE", (string?)create["responders"]![0]!["name"]);
        Assert.Equal([("INC-0001", "CTO escalation")], opsgenie.Escalations);
        Assert.Equal("closed", opsgenie.Alerts["INC-0001"]);
    }

    [Fact]
    public async Task A_wrong_genie_key_is_refused_and_the_page_is_not_retried_forever()
    {
        var opsgenie = new OpsgenieStandIn("the-right-key");
        await using var server = await RecordingServer.StartAsync(opsgenie.Answer);
        await using var bot = Bot(("DrBot:Opsgenie:ApiKey", "a-wrong-key"), ("DrBot:Opsgenie:ApiBaseUrl", server.BaseUrl.ToString()));
        var dispatcher = bot.New<OutboxDispatcher>();

        await SayAsync(bot, "alice", "incident open P2 Replica far behind");
        await DeliverAsync(bot, dispatcher);
        bot.Time.Advance(TimeSpan.FromMinutes(10));
        await DeliverAsync(bot, dispatcher);

        Assert.Equal([401], server.Requests.Select(r => r.Status));
        Assert.Empty(opsgenie.Alerts);
        Assert.DoesNotContain(await bot.Store.ListOutboxAsync(undeliveredOnly: true, None), m => m.Channel == OpsgenieIntegration.ChannelName);
    }

    [Fact]
    public async Task A_page_on_call_alert_triggers_a_page_and_its_resolution_resolves_it()
    {
        var pagerDuty = new PagerDutyStandIn(OnCallKey);
        await using var server = await RecordingServer.StartAsync(pagerDuty.Answer);
        await using var bot = Bot(("DrBot:PagerDuty:RoutingKey", OnCallKey), ("DrBot:PagerDuty:ApiBaseUrl", server.BaseUrl.ToString()));
        var intake = bot.Get<AlertIntake>();
        var dispatcher = bot.New<OutboxDispatcher>();

        await intake.AcceptAsync([Lag("HighReplicationLag", 15, "w1")], None); // notify only
        await intake.AcceptAsync([Lag("HighReplicationLag", 15, "w1") with { Status = AlertStatus.Resolved }], None); // never paged: no resolve
        await intake.AcceptAsync([Lag("ReplicationLag", 45, "c1")], None);
        await DeliverAsync(bot, dispatcher);
        var trigger = Assert.Single(server.Requests).Json;
        Assert.Equal("trigger", (string?)trigger["event_action"]);
        Assert.Equal("error", (string?)trigger["payload"]!["severity"]); // the strategy's page: a P2
        Assert.Equal("west-us", (string?)trigger["payload"]!["component"]);
        var dedup = (string)trigger["dedup_key"]!;
        Assert.StartsWith("alert-", dedup, StringComparison.Ordinal);

        await intake.AcceptAsync([Lag("ReplicationLag", 45, "c1") with { Status = AlertStatus.Resolved, EndsAt = InProcessBot.Start.AddMinutes(5) }], None);
        await DeliverAsync(bot, dispatcher);
        Assert.Equal([$"trigger:{dedup}", $"resolve:{dedup}"], Actions(server));
        Assert.Equal("resolved", pagerDuty.Incidents[(OnCallKey, dedup)]);
    }

    private static NormalizedAlert Lag(string name, double seconds, string fingerprint) =>
        new("alertmanager", $"{fingerprint}:{name}", $"lag:{name}", name, AlertStatus.Firing, "west-us", seconds, $"replica {seconds} s behind",
            new Dictionary<string, string> { ["alertname"] = name, ["region"] = "west-us" }, InProcessBot.Start, null);
}
