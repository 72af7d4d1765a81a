using System.Security.Cryptography;
using System.Text;
using DrBot.Bot.Channels;
using DrBot.Bot.Integrations;
using DrBot.Bot.Outbox;
using DrBot.Bot.Tests.Integrations.Support;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Integrations;

/// <summary>"Open the incident ticket" in Jira, ServiceNow or a webhook, through the outbox, against local stand-ins of each API.</summary>
public sealed class TicketTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static Task<ChatReply> SayAsync(InProcessBot bot, string who, string text) =>
        bot.Get<IChatInputHandler>().HandleAsync(new ChatInput("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null), None);

    private static async Task DeliverAsync(OutboxDispatcher dispatcher)
    {
        for (var round = 0; round < 30 && await dispatcher.DeliverDueAsync(None) > 0; round++) { }
    }

    [Fact]
    public async Task The_ticket_step_creates_one_jira_issue_links_it_in_the_thread_and_resolving_closes_it()
    {
        var jira = new JiraStandIn("bot@example.com", "api-token-1", "OPS");
        await using var server = await RecordingServer.StartAsync(jira.Answer);
        server.Outages.Enqueue(new StandInAnswer(503, """{"errorMessages":["Service Unavailable"]}"""));
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Tickets:Provider"] = "Jira",
            ["DrBot:Tickets:BaseUrl"] = server.BaseUrl.ToString(),
            ["DrBot:Tickets:Username"] = "bot@example.com",
            ["DrBot:Tickets:Secret"] = "api-token-1",
            ["DrBot:Tickets:ResolveTransitionId"] = "31",
        });
        var dispatcher = bot.New<OutboxDispatcher>();
        await SayAsync(bot, "alice", "incident open P1 East US is down");
        var notifier = bot.Get<IRunbookNotifier>();

        await notifier.NotifyAsync("run-1", "INC-0001", "ticket", "Region failover from east-us to west-us", None);
        await notifier.NotifyAsync("run-1", "INC-0001", "ticket", "Region failover from east-us to west-us", None); // the step repeated after a crash
        await DeliverAsync(dispatcher);
        bot.Time.Advance(TimeSpan.FromMinutes(1)); // after the 503 the create is retried
        await DeliverAsync(dispatcher);
        await notifier.NotifyAsync("run-2", "INC-0001", "ticket", "A second runbook on the same incident", None);
        await DeliverAsync(dispatcher);

        Assert.Equal(["To Do"], jira.Issues.Values);
        var create = server.Requests.First(r => r.Status == 201).Json["fields"]!;
        Assert.Equal("[P1] INC-0001 East US is down", (string?)create["summary"]);
        Assert.Equal("Region failover from east-us to west-us", (string?)create["description"]!["content"]![0]!["content"]![0]!["text"]);
        Assert.Equal([503, 200, 201], server.Requests.Select(r => r.Status)); // the search for an earlier create comes first
        var link = Assert.Single(await bot.LocalPostsAsync(), p => p.PostKey == "ticket:INC-0001");
        Assert.Contains($"{server.BaseUrl}browse/OPS-1", link.Payload, StringComparison.Ordinal);
        Assert.Equal("incident:INC-0001", link.ThreadKey);
        var header = (await bot.LocalPostsAsync()).Last(p => p.PostKey == "incident:INC-0001"); // the incident card itself names the ticket
        Assert.Contains("Ticket", header.Payload, StringComparison.Ordinal);
        Assert.Contains($"OPS-1: {server.BaseUrl}browse/OPS-1", header.Payload, StringComparison.Ordinal);

        await SayAsync(bot, "alice", "incident resolve");
        await DeliverAsync(dispatcher);
        Assert.Equal("Done", jira.Issues["OPS-1"]);
        Assert.StartsWith("Resolved in DrBot by ", Assert.Single(jira.Comments["OPS-1"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceNow_gets_an_incident_with_the_correlation_id_and_resolving_sets_it_resolved()
    {
        var serviceNow = new ServiceNowStandIn("drbot", "pw-1");
        await using var server = await RecordingServer.StartAsync(serviceNow.Answer);
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Tickets:Provider"] = "ServiceNow",
            ["DrBot:Tickets:BaseUrl"] = server.BaseUrl.ToString(),
            ["DrBot:Tickets:Username"] = "drbot",
            ["DrBot:Tickets:Secret"] = "pw-1",
        });
        var dispatcher = bot.New<OutboxDispatcher>();
        await SayAsync(bot, "alice", "incident open P2 Replica far behind");
        await bot.Get<IRunbookNotifier>().NotifyAsync("run-1", "INC-0001", "ticket", "Database failover", None);
        await DeliverAsync(dispatcher);
        await SayAsync(bot, "alice", "incident resolve");
        await DeliverAsync(dispatcher);

        var incident = Assert.Single(serviceNow.Incidents.Values);
        Assert.StartsWith("drbot-INC-0001-", (string?)incident["correlation_id"], StringComparison.Ordinal);
        Assert.Equal("2", (string?)incident["urgency"]);
        Assert.Equal("6", (string?)incident["state"]);
        Assert.Equal(["GET", "POST", "PATCH"], server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task The_webhook_is_signed_and_carries_an_idempotency_key()
    {
        await using var server = await RecordingServer.StartAsync(_ => new StandInAnswer(200, """{"key":"T-9","url":"https://tickets.example/T-9"}"""));
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Tickets:Provider"] = "Webhook",
            ["DrBot:Tickets:BaseUrl"] = new Uri(server.BaseUrl, "hooks/tickets").ToString(),
            ["DrBot:Tickets:Secret"] = "sign-me",
        });
        await SayAsync(bot, "alice", "incident open P3 Backups are late");
        await bot.Get<IRunbookNotifier>().NotifyAsync("run-1", "INC-0001", "ticket", "Backup investigation", None);
        await DeliverAsync(bot.New<OutboxDispatcher>());

        var call = Assert.Single(server.Requests);
        Assert.Equal("/hooks/tickets", call.Path);
        Assert.Equal("incident.ticket.create", (string?)call.Json["event"]);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("sign-me"), Encoding.UTF8.GetBytes(call.Body)));
        Assert.Equal(expected, call.Headers["X-DrBot-Signature"]);
        Assert.Equal("INC-0001:create", call.Headers["Idempotency-Key"]);
        Assert.Contains(await bot.LocalPostsAsync(), p => p.PostKey == "ticket:INC-0001" && p.Payload.Contains("https://tickets.example/T-9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_provider_the_step_stays_a_chat_post()
    {
        await using var bot = InProcessBot.Create();
        await SayAsync(bot, "alice", "incident open P1 East US is down");
        await bot.Get<IRunbookNotifier>().NotifyAsync("run-1", "INC-0001", "ticket", "Region failover", None);

        Assert.DoesNotContain(await bot.Store.ListOutboxAsync(undeliveredOnly: false, None), m => m.Channel == "tickets");
        Assert.Contains(await bot.LocalPostsAsync(), p => p.PostKey == "notify:run-1:ticket");
        Assert.StartsWith("not configured (DrBot:Tickets:Provider is empty)", bot.Get<IEnumerable<IIntegrationStatus>>().Single(s => s.Name == "tickets").Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Jira")]
    [InlineData("ServiceNow")]
    public async Task A_create_whose_answer_was_lost_is_found_by_its_reference_and_not_created_twice(string provider)
    {
        var jira = new JiraStandIn("bot@example.com", "api-token-1", "OPS") { LoseNextCreateAnswer = true };
        var serviceNow = new ServiceNowStandIn("bot@example.com", "api-token-1") { LoseNextCreateAnswer = true };
        await using var server = await RecordingServer.StartAsync(provider == "Jira" ? jira.Answer : serviceNow.Answer);
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Tickets:Provider"] = provider,
            ["DrBot:Tickets:BaseUrl"] = server.BaseUrl.ToString(),
            ["DrBot:Tickets:Username"] = "bot@example.com",
            ["DrBot:Tickets:Secret"] = "api-token-1",
        });
        var dispatcher = bot.New<OutboxDispatcher>();
        await SayAsync(bot, "alice", "incident open P1 East US is down");

        await bot.Get<IRunbookNotifier>().NotifyAsync("run-1", "INC-0001", "ticket", "Region failover", None);
        await DeliverAsync(dispatcher);
        bot.Time.Advance(TimeSpan.FromMinutes(1)); // the lost answer (503) is retried
        await DeliverAsync(dispatcher);

        Assert.Equal(1, provider == "Jira" ? jira.Issues.Count : serviceNow.Incidents.Count);
        Assert.Equal(["GET", "POST", "GET"], server.Requests.Select(r => r.Method));
        var expected = provider == "Jira" ? "OPS-1" : "INC001001";
        Assert.Contains(await bot.LocalPostsAsync(), p => p.PostKey == "ticket:INC-0001" && p.Payload.Contains(expected, StringComparison.Ordinal));
    }
}
