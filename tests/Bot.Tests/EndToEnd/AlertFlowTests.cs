using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>Alert webhooks into the running bot: deduplication, the region-down rule, and the Start button it proposes.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AlertFlowTests
{
    /// <summary>An Alertmanager v4 webhook body: east-us is down. Shared by the alert e2e tests.</summary>
    internal const string RegionDown = """
    {"version":"4","groupKey":"{}:{alertname=\"RegionDown\"}","status":"firing","receiver":"drbot","truncatedAlerts":0,
     "groupLabels":{"alertname":"RegionDown"},"commonLabels":{"alertname":"RegionDown","region":"east-us","severity":"critical"},
     "commonAnnotations":{},"externalURL":"http://alertmanager:9093",
     "alerts":[{"status":"firing","labels":{"alertname":"RegionDown","region":"east-us","severity":"critical"},
       "annotations":{"summary":"Every health check of east-us fails"},"startsAt":"2026-11-25T03:00:00Z","endsAt":"0001-01-01T00:00:00Z",
       "generatorURL":"http://prometheus/graph","fingerprint":"a1b2c3d4e5f60718"}]}
    """;

    [Fact]
    public async Task The_same_region_down_alert_delivered_five_times_opens_one_P1_and_proposes_the_failover()
    {
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-alerts-" + Guid.NewGuid().ToString("N")));
        for (var i = 0; i < 5; i++)
        {
            using var response = await PostAsync(bot, RegionDown, "test-alert-token");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var alertCard = await bot.WaitForMessageAsync(m => CardJson.Actions(m["card"]).Any(a => a.Verb == "start-runbook"), TimeSpan.FromSeconds(30));
        var start = CardJson.Actions(alertCard["card"]).Single(a => a.Verb == "start-runbook");
        Assert.Equal("region-failover", start.Data["runbook"]);
        Assert.Equal("west-us", start.Data["region"]);

        await Task.Delay(1000); // let any (wrong) duplicate posts arrive before counting
        var messages = (await bot.MessagesAsync()).OfType<JsonObject>().ToList();
        Assert.Single(messages, m => CardJson.Text(m["card"]).Contains("INC-", StringComparison.Ordinal) && CardJson.Text(m["card"]).Contains("P1", StringComparison.Ordinal) && m["text"]!.GetValue<string>().Contains("RegionDown", StringComparison.Ordinal));
        Assert.Single(messages, m => CardJson.Actions(m["card"]).Any(a => a.Verb == "start-runbook"));

        // The proposal starts the runbook, which still stops at its approval gate.
        var reply = await bot.ClickAsync("alice", alertCard["id"]!.GetValue<string>(), "start-runbook", start.Data);
        Assert.Contains("started region-failover", reply["reply"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        await bot.WaitForMessageAsync(m => CardJson.Actions(m["card"]).Any(a => a.Verb == "approve"), TimeSpan.FromSeconds(30));

        var metrics = await bot.Http.GetStringAsync("metrics");
        Assert.Contains("drbot_incidents_open{severity=\"P1\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("drbot_gates_pending 1", metrics, StringComparison.Ordinal);
        Assert.Contains("drbot_runs{outcome=\"none\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_without_the_token_are_refused_and_change_nothing()
    {
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-alerts-" + Guid.NewGuid().ToString("N")));
        using var missing = await PostAsync(bot, RegionDown, null);
        using var wrong = await PostAsync(bot, RegionDown, "not-the-token");
        using var malformed = await PostAsync(bot, "{\"version\":\"4\",\"alerts\":", "test-alert-token");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        await Task.Delay(500);
        Assert.Empty(await bot.MessagesAsync());
    }

    private static async Task<HttpResponseMessage> PostAsync(BotProcess bot, string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/alerts/alertmanager") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await bot.Http.SendAsync(request);
    }
}
