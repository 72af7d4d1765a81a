using DrBot.Bot.Incidents;
using DrBot.Bot.Schedulers;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Incidents;

namespace DrBot.Bot.Tests.Schedulers;

/// <summary>Status posts every 15 minutes and escalation by the severity matrix, on a fake clock.</summary>
public sealed class IncidentTimerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task An_open_incident_gets_a_status_post_at_15_30_and_45_minutes()
    {
        await using var bot = InProcessBot.Create();
        var incident = await OpenAsync(bot, "P2");

        Assert.Equal(0, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(14), "status:"));
        Assert.Equal(1, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(1), "status:"));
        Assert.Equal(1, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(14), "status:"));
        Assert.Equal(2, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(1), "status:"));
        Assert.Equal(3, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(15), "status:"));

        var post = (await bot.LocalPostsAsync()).Last(m => m.PostKey.StartsWith("status:", StringComparison.Ordinal));
        Assert.Equal($"incident:{incident.Id}", post.ThreadKey);
        Assert.Contains("no human update", post.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_human_update_in_the_interval_stops_the_reminder_to_the_commander()
    {
        await using var bot = InProcessBot.Create();
        var incident = await OpenAsync(bot, "P2");
        bot.Time.Advance(TimeSpan.FromMinutes(10));
        await bot.Get<IncidentService>().AddHumanUpdateAsync(incident.Id, "DB replica caught up", InProcessBot.Person("bob"), None);
        await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(5), "status:");
        var post = (await bot.LocalPostsAsync()).Last(m => m.PostKey.StartsWith("status:", StringComparison.Ordinal));
        Assert.DoesNotContain("no human update", post.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unacknowledged_P1_reminds_the_team_at_15_minutes_and_escalates_to_the_CTO_at_30()
    {
        await using var bot = InProcessBot.Create();
        await OpenAsync(bot, "P1");

        Assert.Equal(0, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(14), "escalation:"));
        Assert.Equal(1, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(1), "escalation:"));
        Assert.Equal(1, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(14), "escalation:"));
        Assert.Equal(2, await AdvanceAndCountAsync(bot, TimeSpan.FromMinutes(1), "escalation:"));

        var escalation = (await bot.LocalPostsAsync()).Last(m => m.PostKey.StartsWith("escalation:", StringComparison.Ordinal));
        Assert.Contains("cto", escalation.Payload, StringComparison.Ordinal);
        Assert.Contains("\"dana\"", escalation.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledging_stops_the_escalation_chain()
    {
        await using var bot = InProcessBot.Create();
        var incident = await OpenAsync(bot, "P1");
        bot.Time.Advance(TimeSpan.FromMinutes(10));
        var ack = await bot.Get<IncidentWorkflow>().AcknowledgeAsync(incident.Id, InProcessBot.Person("alice"), None);
        Assert.True(ack.Ok, ack.Message);
        Assert.Equal(0, await AdvanceAndCountAsync(bot, TimeSpan.FromHours(3), "escalation:"));
    }

    [Fact]
    public async Task A_P4_never_escalates()
    {
        await using var bot = InProcessBot.Create();
        await OpenAsync(bot, "P4");
        Assert.Equal(0, await AdvanceAndCountAsync(bot, TimeSpan.FromHours(24), "escalation:"));
        Assert.True(await CountAsync(bot, "status:") > 0);
    }

    [Fact]
    public async Task After_a_restart_a_due_post_happens_once_not_zero_and_not_twice()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-restart-" + Guid.NewGuid().ToString("N"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(InProcessBot.Start);
        await using (var first = InProcessBot.Create(dataDir, clock))
            await OpenAsync(first, "P2");
        clock.Advance(TimeSpan.FromMinutes(16)); // the post fell due while the bot was down

        await using var second = InProcessBot.Create(dataDir, clock);
        // Two timer loops (as after a restart next to a stale one) race for the same due post.
        var timers = new[] { second.New<TimerService>(), second.New<TimerService>() };
        await Task.WhenAll(timers.Select(t => t.FireDueAsync(None)));
        await Task.WhenAll(timers.Select(t => t.FireDueAsync(None)));
        Assert.Equal(1, await CountAsync(second, "status:"));
    }

    private static async Task<Incident> OpenAsync(InProcessBot bot, string severity)
    {
        var result = await bot.Get<IncidentWorkflow>().OpenAsync(new OpenIncidentRequest(severity, "East US database unreachable", InProcessBot.Person("alice"), "east-us"), None);
        Assert.True(result.Ok, result.Message);
        return result.Incident!;
    }

    private static async Task<int> AdvanceAndCountAsync(InProcessBot bot, TimeSpan by, string prefix)
    {
        // Move in one-minute steps so each timer fires at its own due time, as the real loop does.
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMinutes(1))
        {
            bot.Time.Advance(TimeSpan.FromMinutes(1));
            while (await bot.Get<TimerService>().FireDueAsync(None) > 0)
            {
            }
        }
        return await CountAsync(bot, prefix);
    }

    private static async Task<int> CountAsync(InProcessBot bot, string prefix) =>
        (await bot.LocalPostsAsync()).Count(m => m.PostKey.StartsWith(prefix, StringComparison.Ordinal));
}
