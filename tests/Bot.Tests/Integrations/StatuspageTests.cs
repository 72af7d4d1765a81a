using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Bot.Tests.Integrations.Support;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Integrations;

/// <summary>Atlassian Statuspage REST v1 against a local stand-in: OAuth key, one incident per DrBot incident, public text only.</summary>
public sealed class StatuspageTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_p1_opens_one_statuspage_incident_that_public_updates_and_the_resolution_follow()
    {
        var statuspage = new StatuspageStandIn();
        await using var server = await RecordingServer.StartAsync(statuspage.Answer);
        server.Outages.Enqueue(new StandInAnswer(429, """{"error":"rate limited"}""", new Dictionary<string, string> { ["Retry-After"] = "2" }));
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Statuspage:ApiKey"] = "sp-key-1",
            ["DrBot:Statuspage:PageId"] = "page-1",
            ["DrBot:Statuspage:ApiBaseUrl"] = server.BaseUrl.ToString(),
            ["DrBot:Statuspage:Components:core-api"] = "cmp-core",
            ["DrBot:Statuspage:Components:auth-service"] = "cmp-auth",
        });
        var router = bot.Get<IChatInputHandler>();
        Task<ChatReply> Say(string text) => router.HandleAsync(new ChatInput("local", "local", null, new ChatUser("alice", "alice", bot.Get<Roster>().ByName("alice")), text, null, null), None);
        var dispatcher = bot.New<OutboxDispatcher>();
        async Task DeliverAsync() { for (var i = 0; i < 30 && await dispatcher.DeliverDueAsync(None) > 0; i++) { } }

        await Say("incident open P3 reporting slow"); // P3: not on Statuspage
        bot.Time.Advance(TimeSpan.FromMinutes(1));
        await Say("incident open P1 db-east-01 down");
        await Say("incident update --public Traffic is moving to our standby site.");
        await DeliverAsync();
        bot.Time.Advance(TimeSpan.FromSeconds(2)); // the 429's Retry-After
        await DeliverAsync();
        await Say("incident resolve");
        await DeliverAsync();

        Assert.Equal([429, 200, 201, 200, 200], server.Requests.Select(r => r.Status)); // the look-up for an earlier create comes first
        var incident = Assert.Single(statuspage.Incidents.Values);
        Assert.Equal("Major outage", (string?)incident["name"]);
        Assert.Equal("critical", (string?)incident["impact_override"]);
        Assert.Equal("resolved", (string?)incident["status"]);
        Assert.Equal("operational", (string?)incident["components"]!["cmp-core"]);
        Assert.Contains(server.Requests, r => r.Body.Contains("Traffic is moving to our standby site.", StringComparison.Ordinal));
        Assert.Equal("major_outage", (string?)server.Requests[2].Json["incident"]!["components"]!["cmp-auth"]);
        Assert.All(server.Requests, r => Assert.DoesNotContain("db-east-01", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_found_by_its_metadata_and_not_opened_twice()
    {
        var statuspage = new StatuspageStandIn { LoseNextCreateAnswer = true };
        await using var server = await RecordingServer.StartAsync(statuspage.Answer);
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?>
        {
            ["DrBot:Statuspage:ApiKey"] = "sp-key-1",
            ["DrBot:Statuspage:PageId"] = "page-1",
            ["DrBot:Statuspage:ApiBaseUrl"] = server.BaseUrl.ToString(),
        });
        var router = bot.Get<IChatInputHandler>();
        var dispatcher = bot.New<OutboxDispatcher>();
        async Task DeliverAsync() { for (var i = 0; i < 30 && await dispatcher.DeliverDueAsync(None) > 0; i++) { } }

        await router.HandleAsync(new ChatInput("local", "local", null, new ChatUser("alice", "alice", bot.Get<Roster>().ByName("alice")), "incident open P1 East US is down", null, null), None);
        await DeliverAsync();
        bot.Time.Advance(TimeSpan.FromMinutes(1)); // the lost answer (503) is retried
        await DeliverAsync();
        await router.HandleAsync(new ChatInput("local", "local", null, new ChatUser("alice", "alice", bot.Get<Roster>().ByName("alice")), "incident update --public Traffic is moving.", null, null), None);
        await DeliverAsync();

        var (id, incident) = Assert.Single(statuspage.Incidents);
        Assert.Equal("INC-0001", (string?)incident["metadata"]!["drbot"]!["incident_id"]);
        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Equal(["GET", "POST", "GET", "PATCH"], server.Requests.Select(r => r.Method));
        Assert.EndsWith($"/incidents/{id}", server.Requests[^1].Path, StringComparison.Ordinal);
    }
}
