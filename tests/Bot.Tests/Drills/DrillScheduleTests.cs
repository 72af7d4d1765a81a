using DrBot.Bot.Channels;
using DrBot.Bot.Drills;
using DrBot.Bot.Schedulers;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Drills;

/// <summary>The testing schedule on stored timers and a fake clock: due once across replicas, Start and Postpone by a lead, escalation when overdue.</summary>
public sealed class DrillScheduleTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // 2026-11-25 03:00 UTC is the bot's start; the line is due daily at 03:05. The default lines are off.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["DrBot:Drills:Schedule:test-cascade:Exercise"] = "cascading-failure",
        ["DrBot:Drills:Schedule:test-cascade:Every"] = "daily",
        ["DrBot:Drills:Schedule:test-cascade:At"] = "03:05",
        ["DrBot:Drills:Schedule:monthly-region-failure:Enabled"] = "false",
        ["DrBot:Drills:Schedule:monthly-backup-restore:Enabled"] = "false",
        ["DrBot:Drills:Schedule:weekly-database-failover:Enabled"] = "false",
        ["DrBot:Drills:Schedule:weekly-network:Enabled"] = "false",
        ["DrBot:Drills:Schedule:weekly-data-consistency:Enabled"] = "false",
        ["DrBot:Drills:Schedule:daily-service-failures:Enabled"] = "false",
    };

    [Fact]
    public async Task A_due_drill_is_announced_once_by_two_replicas_racing_for_the_timer()
    {
        await using var bot = InProcessBot.Create(settings: Settings);
        await Task.WhenAll(bot.New<DrillScheduler>().EnsureTimersAsync(None), bot.New<DrillScheduler>().EnsureTimersAsync(None));
        var replicas = new[] { bot.New<TimerService>(), bot.New<TimerService>() };
        for (var minute = 0; minute < 10; minute++)
        {
            bot.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAll(replicas.Select(r => r.FireDueAsync(None)));
        }
        var due = Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey.StartsWith("drill-due:test-cascade:", StringComparison.Ordinal));
        Assert.Contains("Start drill", due.Payload, StringComparison.Ordinal);
        Assert.Contains("Postpone", due.Payload, StringComparison.Ordinal);
        Assert.Empty(await bot.Get<ExerciseArchive>().ListAsync(None));   // nothing runs unapproved
        Assert.True((await bot.Get<DrillScheduler>().GetStateAsync("test-cascade", None)).IsPending);
    }

    [Fact]
    public async Task Only_a_lead_starts_a_due_drill_and_the_first_decision_wins()
    {
        await using var bot = InProcessBot.Create(settings: Settings);
        var chat = new Rehearsal(bot);
        await bot.Get<DrillScheduler>().EnsureTimersAsync(None);
        await chat.AdvanceAsync(TimeSpan.FromMinutes(6));

        var refused = await ClickAsync(bot, "alice", DrillScheduleCards.StartVerb);
        Assert.True(refused.IsError);
        Assert.Contains("Only a lead", refused.Text, StringComparison.Ordinal);
        var started = await ClickAsync(bot, "bob", DrillScheduleCards.StartVerb);
        Assert.False(started.IsError, started.Text);
        var drill = Assert.Single(await bot.Get<ExerciseArchive>().ListAsync(None));
        Assert.Equal(ExerciseKinds.CascadingFailure, drill.Kind);
        var second = await ClickAsync(bot, "carol", DrillScheduleCards.StartVerb);
        Assert.True(second.IsError);
        Assert.Contains("not due", second.Text, StringComparison.Ordinal);
        var state = await bot.Get<DrillScheduler>().GetStateAsync("test-cascade", None);
        Assert.Equal((drill.Id, "Bob"), (state.LastExerciseId, state.LastDecisionBy));
    }

    [Fact]
    public async Task Postpone_moves_the_due_time_and_an_overdue_drill_is_listed_and_escalated_to_the_engineering_lead_after_the_grace()
    {
        await using var bot = InProcessBot.Create(settings: Settings);
        var chat = new Rehearsal(bot);
        await bot.Get<DrillScheduler>().EnsureTimersAsync(None);
        await chat.AdvanceAsync(TimeSpan.FromMinutes(10));                   // due 03:05, now 03:10
        var postponed = await chat.SayAsync("bob", "drill postpone test-cascade");
        Assert.False(postponed.IsError, postponed.Text);
        Assert.Contains("2026-11-26 03:10", postponed.Text, StringComparison.Ordinal);
        Assert.Contains("postponed to 2026-11-26 03:10", (await chat.SayAsync("alice", "drills")).Text, StringComparison.Ordinal);

        await chat.AdvanceAsync(TimeSpan.FromHours(24), TimeSpan.FromMinutes(5));   // the original grace ends 11-26 03:05
        Assert.Empty(await chat.PostKeysAsync("drill-overdue:"));
        Assert.Contains("OVERDUE since 2026-11-26 03:10", (await chat.SayAsync("alice", "drills")).Text, StringComparison.Ordinal);

        await chat.AdvanceAsync(TimeSpan.FromHours(24), TimeSpan.FromMinutes(5));   // new due + 1 day grace
        var overdue = Assert.Single(await bot.LocalPostsAsync(), m => m.PostKey.StartsWith("drill-overdue:test-cascade:", StringComparison.Ordinal));
        Assert.Contains("\"erin\"", overdue.Payload, StringComparison.Ordinal);
        Assert.Empty(await bot.Get<ExerciseArchive>().ListAsync(None));
    }

    [Fact]
    public async Task A_bad_schedule_line_stops_the_bot_at_start_naming_the_key()
    {
        var settings = new Dictionary<string, string?>(Settings) { ["DrBot:Drills:Schedule:test-cascade:At"] = "3am" };
        await using var bot = InProcessBot.Create(settings: settings);
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => bot.Get<Microsoft.Extensions.Options.IOptions<DrillOptions>>().Value);
        Assert.Contains("DrBot:Drills:Schedule:test-cascade:At '3am'", error.Message, StringComparison.Ordinal);
    }

    private static Task<ChatReply> ClickAsync(InProcessBot bot, string who, string verb) =>
        bot.Get<IChatInputHandler>().HandleAsync(new ChatInput("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), null,
            new CardAction(verb, new Dictionary<string, string> { [DrillScheduleCards.ScheduleKey] = "test-cascade" }, null), null), None);
}
