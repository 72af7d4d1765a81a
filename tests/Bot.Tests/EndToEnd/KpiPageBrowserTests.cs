using System.Text.Json;
using DrBot.Bot.Tests.Kpis;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.PostMortems;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Playwright;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The /kpis page and a post-mortem page as a person sees them, in Debian's Chromium, from the bot
/// process reading a store that holds the KPI fixture: Chart.js draws the measured RTO and RPO of
/// each recovery against the tier targets.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class KpiPageBrowserTests
{
    [Fact]
    public async Task The_kpis_page_charts_RTO_and_RPO_against_the_tier_targets_and_the_post_mortem_page_shows_chat_text_as_text()
    {
        var ct = CancellationToken.None;
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-kpis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var now = TimeProvider.System.GetUtcNow();
        using (var store = new LiteDbStore(Path.Combine(dataDir, "drbot.db"), TimeProvider.System))
        {
            await KpiFixture.WriteAsync(store, now, ct);
            // A title typed in chat that tries to inject markup into the rendered post-mortem.
            var incident = (await store.GetIncidentAsync("INC-0003", ct))!;
            incident.Title = "Gateway <img src=x onerror=alert(1)> errors";
            await store.SaveIncidentAsync(incident, ct);
            await store.SetValueAsync(PostMortemRecord.Key("INC-0003"), StoreJson.Write(new PostMortemRecord("INC-0003", now, now + TimeSpan.FromHours(48), "carol")), ct);
        }
        await using var bot = await BotProcess.StartAsync(dataDir);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1600 } });
        try
        {
            await page.GotoAsync(new Uri(bot.BaseUri, "/kpis?period=30d").ToString());
            await Assertions.Expect(page.Locator("canvas#chart-critical[data-rendered='true']")).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 15_000 });
            var datasets = JsonDocument.Parse(await page.EvaluateAsync<string>(
                "JSON.stringify(Chart.getChart(document.getElementById('chart-critical')).data.datasets.map(d => ({ label: d.label, data: d.data })))")).RootElement;
            Assert.Equal([12.0, 20.0, 8.0], datasets[0].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()));   // measured RTO, minutes
            Assert.All(datasets[1].GetProperty("data").EnumerateArray(), v => Assert.Equal(15.0, v.GetDouble()));        // RTO target of critical
            Assert.Equal([2.0, 7.0, 0.5], datasets[2].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()));    // measured RPO
            Assert.Contains("RPO target 5 min", datasets[3].GetProperty("label").GetString(), StringComparison.Ordinal);
            // The chart really drew: the canvas has pixels that are not blank.
            Assert.True(await page.EvaluateAsync<bool>("(() => { const c = document.getElementById('chart-critical'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; return d.some(v => v !== 0); })()"));
            await Assertions.Expect(page.Locator("canvas[data-tier='important']")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#kpi-figures")).ToContainTextAsync("33.3 % (1 of 3)");
            await Assertions.Expect(page.Locator("#kpi-figures")).ToContainTextAsync("66.7 % (2 of 3)");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts, "kpis.png"), FullPage = true });

            var metrics = await bot.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            Assert.Contains("drbot_failovers_total{result=\"succeeded\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("drbot_recovery_rpo_seconds_count{tier=\"critical\",source=\"incident\"} 3", metrics, StringComparison.Ordinal);

            await page.GotoAsync(new Uri(bot.BaseUri, "/incidents/INC-0003/postmortem").ToString());
            await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Post-mortem INC-0003: Gateway <img src=x onerror=alert(1)> errors");
            await Assertions.Expect(page.Locator("img")).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("table").First).ToContainTextAsync("RTO");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts, "postmortem.png"), FullPage = true });
            var missing = await bot.Http.GetAsync(new Uri("/incidents/INC-0001/postmortem.md", UriKind.Relative), ct);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
