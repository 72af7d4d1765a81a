using System.Diagnostics;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Integrations.Support;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.StatusPage;

/// <summary>
/// The runbook's <c>status-page</c> step, run by the real bot process in a region failover: its text
/// becomes a public update on the bot's own /status page and on Atlassian Statuspage (a local stand-in),
/// the same way <c>incident update --public</c> does, and names no region.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StatusPageStepTests
{
    private const string StepText = "Service has been restored from our standby site.";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_status_page_step_of_a_failover_publishes_on_status_and_on_Statuspage()
    {
        var statuspage = new StatuspageStandIn();
        await using var server = await RecordingServer.StartAsync(statuspage.Answer);
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-status-step-" + Guid.NewGuid().ToString("N")), new Dictionary<string, string>
        {
            ["DrBot__Statuspage__ApiKey"] = "sp-key-1",
            ["DrBot__Statuspage__PageId"] = "page-1",
            ["DrBot__Statuspage__ApiBaseUrl"] = server.BaseUrl.ToString(),
            ["DrBot__Statuspage__Components__core-api"] = "cmp-core",
        });
        await bot.SendAsync("bob", "drill region-down east-us");
        await bot.SendAsync("alice", "/failover west-us");
        var card = await bot.WaitForMessageAsync(m => CardJson.Actions(m["card"]).Any(a => a.Verb == "approve"), Wait);
        await bot.ApproveOnCardAsync(card["id"]!.GetValue<string>(), Wait, "bob", "carol");
        await bot.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == card["id"]!.GetValue<string>()
            && CardJson.Text(m["card"]).Contains("Succeeded", StringComparison.Ordinal), Wait);

        // On /status: the step's text is the incident's public update, in HTML, JSON and Atom.
        var json = JsonNode.Parse(await bot.Http.GetStringAsync("status.json"))!;
        Assert.Contains(json["active"]!.AsArray().Concat(json["history"]!.AsArray()).SelectMany(i => i!["updates"]!.AsArray()),
            u => ((string?)u!["text"])!.StartsWith(StepText, StringComparison.Ordinal));
        foreach (var page in new[] { await bot.Http.GetStringAsync("status"), await bot.Http.GetStringAsync("status/feed.atom") })
        {
            Assert.Contains(StepText, page, StringComparison.Ordinal);
            Assert.DoesNotContain("east-us", page, StringComparison.Ordinal);
            Assert.DoesNotContain("west-us", page, StringComparison.Ordinal);
        }

        // On Statuspage: the incident the P1 opened gets the step's text as an update (delivered through the outbox).
        var update = await WaitForAsync(() => server.Requests.FirstOrDefault(r => r.Method == "PATCH" && r.Body.Contains(StepText, StringComparison.Ordinal)), "the Statuspage update");
        Assert.Equal(200, update.Status);
        Assert.Equal("identified", (string?)update.Json["incident"]!["status"]);
        var created = Assert.Single(statuspage.Incidents);
        Assert.EndsWith($"/incidents/{created.Key}", update.Path, StringComparison.Ordinal);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string what) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Wait)
        {
            if (probe() is { } found)
                return found;
            await Task.Delay(100);
        }
        throw new TimeoutException($"no {what} within {Wait}");
    }
}
