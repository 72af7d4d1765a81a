using DrBot.Bot.Tests.Support;
using Microsoft.Playwright;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The whole flow as a person does it in the local web chat, in Debian's Chromium: alice (on-call)
/// types /failover west-us, tries to approve her own request and is refused, bob (lead) approves,
/// and every step turns done with the summary reporting RTO against the target.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BrowserFailoverTests
{
    [Fact]
    public async Task On_call_starts_a_failover_a_lead_approves_and_the_page_shows_it_through_to_the_RTO()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-browser-" + Guid.NewGuid().ToString("N"));
        await using var bot = await BotProcess.StartAsync(dataDir);
        // The situation: east-us is down (a drill in the simulated world), so the pre-checks pass.
        await bot.SendAsync("bob", "drill region-down east-us");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 2400 } });
        try
        {
            await page.GotoAsync(bot.BaseUri.ToString());
            await page.SelectOptionAsync("#as-person", "alice");
            await page.FillAsync("#command", "/failover west-us");
            await page.ClickAsync("#send");

            // The runbook card with the pre-check findings and the approval buttons.
            var withButtons = page.Locator(".message", new PageLocatorOptions { HasText = "Region failover →" })
                .Filter(new LocatorFilterOptions { Has = page.Locator("button", new PageLocatorOptions { HasText = "Approve" }) });
            await Assertions.Expect(withButtons).ToHaveCountAsync(1, new LocatorAssertionsToHaveCountOptions { Timeout = 30_000 });
            var runCard = page.Locator($".message[data-id='{await withButtons.GetAttributeAsync("data-id")}']");
            var approve = runCard.Locator("button", new LocatorLocatorOptions { HasText = "Approve" }).First;
            await Assertions.Expect(runCard).ToContainTextAsync("replication lag", new LocatorAssertionsToContainTextOptions { Timeout = 5_000, IgnoreCase = true });

            // Four-eyes: alice started it, so her approval is refused with the reason.
            await approve.ClickAsync();
            await Assertions.Expect(page.Locator(".reply.error").Last).ToContainTextAsync("alice", new LocatorAssertionsToContainTextOptions { Timeout = 10_000, IgnoreCase = true });

            await page.SelectOptionAsync("#as-person", "bob");
            await runCard.Locator("button", new LocatorLocatorOptions { HasText = "Approve" }).First.ClickAsync();
            // A region failover needs two leads: the card counts bob's approval and says one more is needed.
            await Assertions.Expect(runCard).ToContainTextAsync("1 of 2 so far: Bob; 1 still needed", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });

            await page.SelectOptionAsync("#as-person", "carol");
            await runCard.Locator("button", new LocatorLocatorOptions { HasText = "Approve" }).First.ClickAsync();

            await Assertions.Expect(runCard).ToContainTextAsync("Succeeded", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
            await Assertions.Expect(runCard).ToContainTextAsync("Approval counted from Bob");
            await Assertions.Expect(runCard).ToContainTextAsync("Approved by Carol");
            await Assertions.Expect(runCard.Locator("button", new LocatorLocatorOptions { HasText = "Approve" })).ToHaveCountAsync(0);

            // The page draws its own step icons: no emoji font is needed to see a finished step.
            var doneIcon = runCard.Locator("svg.icon[aria-label='done']").First;
            await Assertions.Expect(doneIcon).ToBeVisibleAsync();
            var box = await doneIcon.BoundingBoxAsync();
            Assert.True(box is { Width: > 8, Height: > 8 }, $"the done icon is drawn {box?.Width}×{box?.Height}");
            Assert.DoesNotContain("✅", await runCard.InnerTextAsync());
            var summary = page.Locator(".message", new PageLocatorOptions { HasText = "summary" }).Last;
            await Assertions.Expect(summary).ToContainTextAsync("RTO", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });
            await Assertions.Expect(summary).ToContainTextAsync("target");
        }
        finally
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepoPaths.Artifacts, "browser-failover.png"), FullPage = true });
        }
    }
}
