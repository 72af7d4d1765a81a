using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Monitoring;
using DrBot.Bot.Outbox;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Views;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Monitoring;

/// <summary>
/// The trigger cooldown and flap guard (DrBot:Monitoring:Cooldown) on the monitored bot: real HTTP
/// health endpoints, the real service graph, a fake clock.
/// </summary>
public sealed class FlapGuardTests
{
    [Fact]
    public async Task A_region_failing_again_inside_the_cooldown_starts_nothing_and_asks_for_a_decision_and_after_the_cooldown_fails_over_again()
    {
        await using var bot = await MonitoredBot.StartAsync();
        var first = await FailAsync(bot);
        Assert.Contains("started", first.Outcome, StringComparison.Ordinal);
        await RejectAsync(bot, first.RunId!);

        await RecoverAsync(bot);
        var second = await FailAsync(bot);

        Assert.Null(second.RunId);
        Assert.Contains("no second run started", second.Outcome, StringComparison.Ordinal);
        Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
        var card = await FlapCardAsync(bot);
        Assert.Contains("east-us failed again within the 30m 00s cooldown", card.Title, StringComparison.Ordinal);
        Assert.Contains(card.Body.OfType<FactsBlock>().Single().Facts, f => f.Value.Contains(first.RunId!, StringComparison.Ordinal));
        Assert.Equal([CardVerbs.StartRunbook, CardVerbs.DismissFailover], card.Actions.Select(a => a.Verb));
        var held = Assert.Single(await AuditAsync(bot, "failover-held"));
        Assert.Equal("east-us", held.Subject);
        Assert.Contains(first.RunId!, held.Detail, StringComparison.Ordinal);

        bot.Time.Advance(bot.Monitor.Options.Cooldown);
        await RecoverAsync(bot);
        var third = await FailAsync(bot);

        Assert.Contains("started", third.Outcome, StringComparison.Ordinal);
        Assert.NotNull(third.RunId);
        Assert.NotEqual(first.RunId, third.RunId);
        Assert.Equal(2, (await bot.Store.ListRunsAsync(unfinishedOnly: false, default)).Count);
        Assert.Single(await AuditAsync(bot, "failover-held"));
    }

    [Fact]
    public async Task The_decision_cards_Start_starts_the_failover_for_a_lead_only_and_Dismiss_starts_nothing_and_is_audited()
    {
        await using var bot = await MonitoredBot.StartAsync();
        var first = await FailAsync(bot);
        await RejectAsync(bot, first.RunId!);
        await RecoverAsync(bot);
        var held = await FailAsync(bot);
        var card = await FlapCardAsync(bot);
        var start = card.Actions.Single(a => a.Verb == CardVerbs.StartRunbook);
        var dismiss = card.Actions.Single(a => a.Verb == CardVerbs.DismissFailover);
        var router = bot.Get<IChatInputHandler>();

        // Dana (cto) may not start a failover: refused, audited, nothing starts.
        var refused = await router.HandleAsync(Click(bot, "dana", start), default);
        Assert.True(refused.IsError, refused.Text);
        Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
        Assert.Contains(await AuditAsync(bot, "permission-refused"), e => e.Actor.Contains("dana", StringComparison.OrdinalIgnoreCase));
        var notDismissed = await router.HandleAsync(Click(bot, "dana", dismiss), default);
        Assert.True(notDismissed.IsError, notDismissed.Text);
        Assert.Empty(await AuditAsync(bot, "failover-dismissed"));

        var dismissed = await router.HandleAsync(Click(bot, "carol", dismiss), default);
        Assert.False(dismissed.IsError, dismissed.Text);
        Assert.Contains("nothing was started", dismissed.Text, StringComparison.Ordinal);
        Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
        Assert.Contains("carol", Assert.Single(await AuditAsync(bot, "failover-dismissed")).Actor, StringComparison.OrdinalIgnoreCase);

        var started = await router.HandleAsync(Click(bot, "bob", start), default);
        Assert.False(started.IsError, started.Text);
        var runs = await bot.Store.ListRunsAsync(unfinishedOnly: false, default);
        var second = Assert.Single(runs, r => r.Id != first.RunId);
        Assert.Equal("bob", second.StartedBy);
        Assert.Equal("west-us", second.Region);
        Assert.Equal(held.IncidentId, second.IncidentId);
    }

    [Fact]
    public void A_cooldown_that_is_not_positive_is_refused_at_start_naming_the_key()
    {
        var result = new HealthMonitorOptionsValidator().Validate(null, new HealthMonitorOptions { Cooldown = TimeSpan.Zero });
        Assert.True(result.Failed);
        Assert.Contains("DrBot:Monitoring:Cooldown must be a positive duration", result.FailureMessage, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(30), new HealthMonitorOptions().Cooldown);
    }

    private static async Task<HealthTriggerResult> FailAsync(MonitoredBot bot)
    {
        bot.East.Failing = true;
        var results = new List<HealthTriggerResult>();
        for (var i = 0; i < bot.Monitor.Options.ConsecutiveFailures; i++)
            results.AddRange(await bot.CheckAsync());
        return Assert.Single(results);
    }

    private static async Task RecoverAsync(MonitoredBot bot)
    {
        bot.East.Failing = false;
        for (var i = 0; i < bot.Monitor.Options.RecoveryChecks; i++)
            Assert.Empty(await bot.CheckAsync());
    }

    /// <summary>A lead rejects the automatic run at its gate; it ends without changing anything.</summary>
    private static async Task RejectAsync(MonitoredBot bot, string runId)
    {
        var run = await bot.SettledAsync(runId);
        var rejected = await bot.Get<RunbookService>().DecideAsync(new GateDecisionRequest(run.Id, run.State, InProcessBot.Person("bob"), false, "east-us is back", null), default);
        Assert.True(rejected.Applied, rejected.Message);
        for (var i = 0; i < 600 && !(await bot.Store.GetRunAsync(runId, default))!.IsFinished; i++)
            await Task.Delay(50);
        Assert.True((await bot.Store.GetRunAsync(runId, default))!.IsFinished);
    }

    private static async Task<CardDocument> FlapCardAsync(MonitoredBot bot)
    {
        var post = Assert.Single(await bot.Store.ListOutboxAsync(undeliveredOnly: false, default),
            m => m.Channel == "local" && m.PostKey.StartsWith("flap:east-us:", StringComparison.Ordinal));
        return System.Text.Json.JsonSerializer.Deserialize<CardDocument>(post.Payload, CardPublisher.Json)!;
    }

    private static async Task<List<AuditEntry>> AuditAsync(MonitoredBot bot, string action) =>
        (await bot.Get<AuditLog>().ReadAsync(default)).Where(e => e.Action == action).ToList();

    private static ChatInput Click(MonitoredBot bot, string person, CardButton button) =>
        new("local", "local", null, new ChatUser(person, person, bot.Get<Roster>().ByName(person)), null, new CardAction(button.Verb, button.Data, null), null);
}
