using System.Text.Json.Nodes;
using System.Xml.Linq;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;
using Microsoft.Playwright;

namespace DrBot.Bot.Tests.StatusPage;

/// <summary>
/// The public status page of the running bot: components by tier in the state of the open
/// incidents, public updates only, the same in JSON and Atom, nothing internal (hosts, people, ids,
/// regions), and a screenshot of it in Debian's Chromium.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StatusPageTests
{
    private static readonly string[] Internal = ["db-east-01", "alice", "Alice", "INC-", "east-us", "East US", "runbook", "backup-host-7", "carol"];

    [Fact]
    public async Task The_status_page_shows_impact_and_public_updates_and_nothing_internal()
    {
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-status-" + Guid.NewGuid().ToString("N")));
        Assert.Contains("All systems operational", await bot.Http.GetStringAsync("status"), StringComparison.Ordinal);

        await bot.SendAsync("alice", "incident open P1 db-east-01 in east-us is down");
        var refused = await bot.SendAsync("alice", "incident update --public");
        Assert.Contains("Usage: incident update [--public] <text>", refused["reply"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var published = await bot.SendAsync("alice", "incident update --public We are moving traffic to our standby site; some requests may fail.");
        Assert.Contains("published on the status page", published["reply"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        await bot.SendAsync("carol", "update internal only: backup-host-7 is being restored");

        var html = await bot.Http.GetStringAsync("status");
        var json = JsonNode.Parse(await bot.Http.GetStringAsync("status.json"))!;
        var atom = await bot.Http.GetStringAsync("status/feed.atom");
        foreach (var text in new[] { html, json.ToJsonString(), atom })
        {
            Assert.Contains("We are moving traffic to our standby site", text, StringComparison.Ordinal);
            foreach (var secret in Internal)
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
        Assert.Contains("Major outage", html, StringComparison.Ordinal);

        Assert.Equal("major_outage", (string?)json["overall"]);
        var components = json["components"]!.AsArray().ToDictionary(c => (string)c!["name"]!, c => (string)c!["status"]!);
        Assert.Equal("major_outage", components["core-api"]); // a critical-tier P1 takes the critical services down
        Assert.Equal("operational", components["reporting"]);
        Assert.Single(json["active"]!.AsArray());

        XNamespace ns = "http://www.w3.org/2005/Atom";
        var feed = XDocument.Parse(atom).Root!;
        Assert.Equal(ns + "feed", feed.Name);
        var entry = Assert.Single(feed.Elements(ns + "entry"));
        Assert.StartsWith("Major outage", entry.Element(ns + "title")!.Value, StringComparison.Ordinal);

        // Resolved: the page is green again and the incident moves to the history.
        await bot.SendAsync("alice", "incident resolve");
        var after = JsonNode.Parse(await bot.Http.GetStringAsync("status.json"))!;
        Assert.Equal("operational", (string?)after["overall"]);
        Assert.Equal("resolved", (string?)Assert.Single(after["history"]!.AsArray())!["status"]);

        await bot.SendAsync("alice", "incident open P2 checkout slow");
        await ScreenshotAsync(bot.BaseUri);
    }

    private static async Task ScreenshotAsync(Uri bot)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 1400 } });
        await page.GotoAsync(new Uri(bot, "status").ToString());
        Assert.Equal("Partial outage", (await page.InnerTextAsync(".banner")).Trim());
        // The banner really is coloured for the impact (the CSS applied), not just labelled.
        Assert.Equal("rgb(239, 108, 0)", await page.EvalOnSelectorAsync<string>(".banner", "e => getComputedStyle(e).backgroundColor"));
        Assert.Equal(12, await page.Locator("table tr").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts, "status-page.png"), FullPage = true });
    }
}
