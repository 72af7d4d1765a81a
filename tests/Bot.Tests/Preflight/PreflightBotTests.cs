using System.Text.Json;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Outbox;
using DrBot.Bot.Preflight;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Preflight;

/// <summary>The pre-flight in the bot's real service graph on the simulated world: the warning card once per change, the command, the approval card's line.</summary>
public sealed class PreflightBotTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_runbook_that_turns_not_ready_is_warned_about_once_and_its_recovery_once()
    {
        await using var bot = InProcessBot.Create();
        var say = new Rehearsal(bot);
        var preflight = bot.Get<PreflightService>();

        var healthy = await preflight.RunAsync(None);
        Assert.Equal(Readiness.Ready, healthy.For("region-failover", "west-us")!.Readiness);
        Assert.Empty(await say.PostKeysAsync("preflight:"));

        Assert.False((await say.SayAsync("bob", "drill secondary-unhealthy west-us")).IsError);
        var broken = await preflight.RunAsync(None);
        await preflight.RunAsync(None); // still broken: no second card
        var failover = broken.For("region-failover", "west-us")!;
        Assert.Equal(Readiness.Blocked, failover.Readiness);
        Assert.Equal(Readiness.Blocked, failover.Steps.Single(s => s.StepId == "secondary-healthy").Readiness);

        var warnings = (await bot.LocalPostsAsync()).Where(m => m.PostKey.StartsWith("preflight:region-failover:west-us:", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        var card = JsonSerializer.Deserialize<CardDocument>(warning.Payload, CardPublisher.Json)!;
        Assert.Equal("🛫 Region failover → west-us is no longer ready: ⛔ blocked", card.Title);
        Assert.Contains(card.Body.OfType<TextBlock>(), b => b.Text.Contains("west-us unhealthy", StringComparison.Ordinal));

        Assert.False((await say.SayAsync("bob", "drill clear")).IsError);
        await preflight.RunAsync(None);
        var notices = (await bot.LocalPostsAsync()).Where(m => m.PostKey.StartsWith("preflight:region-failover:west-us:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, notices.Count);
        Assert.Contains("is ✅ ready again", JsonSerializer.Deserialize<CardDocument>(notices[1].Payload, CardPublisher.Json)!.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_preflight_command_answers_with_the_last_report_and_posts_a_fresh_one()
    {
        await using var bot = InProcessBot.Create();
        var say = new Rehearsal(bot);
        var preflight = bot.Get<PreflightService>();

        var first = await say.SayAsync("alice", "preflight");
        Assert.False(first.IsError, first.Text);
        Assert.Null(first.Card); // nothing evaluated yet
        var report = await preflight.Current;
        Assert.NotNull(report);
        var posted = Assert.Single(await say.PostKeysAsync("preflight:report:"));
        var card = JsonSerializer.Deserialize<CardDocument>((await bot.LocalPostsAsync()).Single(m => m.PostKey == posted).Payload, CardPublisher.Json)!;
        Assert.Contains(card.Body.OfType<TextBlock>(), b => b.Text.StartsWith("**Database failover → west-us** (from east-us)", StringComparison.Ordinal));
        Assert.Contains(card.Body.OfType<StepsBlock>().SelectMany(s => s.Steps), l => l.Title == "Promote the west-us database to primary" && l.Detail!.StartsWith("✅ ready: west-us database answers and is a replica", StringComparison.Ordinal));

        var second = await say.SayAsync("alice", "preflight");
        Assert.NotNull(second.Card);
        Assert.StartsWith("🛫 Pre-flight:", second.Card!.Title, StringComparison.Ordinal);
        Assert.True((await say.SayAsync("alice", "preflight now")).Private);
    }

    [Fact]
    public async Task The_approval_card_of_a_real_run_shows_the_last_preflight_of_its_runbook_and_region()
    {
        await using var bot = InProcessBot.Create();
        var say = new Rehearsal(bot);
        Assert.False((await say.SayAsync("bob", "drill secondary-unhealthy west-us")).IsError);
        await bot.Get<PreflightService>().RunAsync(None);
        bot.Time.Advance(TimeSpan.FromMinutes(4));

        Assert.False((await say.SayAsync("alice", "failover-db west-us")).IsError);
        var run = (await bot.Store.ListRunsAsync(unfinishedOnly: true, None)).Single();
        run = await bot.Get<RunbookEngine>().AdvanceAsync(run.Id, None);
        Assert.NotNull(run.PendingGate());

        var card = await bot.Get<RunCardProjection>().BuildCardAsync(run, None);
        var line = Assert.Single(card.Body.OfType<ContextBlock>(), b => b.Text.StartsWith("Last pre-flight", StringComparison.Ordinal));
        // database-failover does not check the application's health: it stays ready while region-failover is blocked.
        Assert.Equal("Last pre-flight (4m 00s ago): ✅ ready", line.Text);
        var last = await bot.Get<DrBot.Runbooks.Preflight.PreflightRecorder>().LastAsync(None);
        Assert.StartsWith("Last pre-flight (4m 00s ago): ⛔ blocked — Secondary region west-us is healthy: west-us unhealthy: core-api, auth-service",
            PreflightCards.ApprovalLine(last!.For("region-failover", "west-us"), last.At, bot.Time.GetUtcNow()), StringComparison.Ordinal);
    }
}
