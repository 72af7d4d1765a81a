using DrBot.Bot.Channels;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Support;

/// <summary>Drives an in-process bot as people would in chat: typed commands, card clicks, time passing.</summary>
public sealed class Rehearsal(InProcessBot bot)
{
    private static readonly CancellationToken None = CancellationToken.None;

    public Task<ChatReply> SayAsync(string who, string text) =>
        bot.Get<IChatInputHandler>().HandleAsync(new ChatInput("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null), None);

    /// <summary>
    /// Starts a region failover to <paramref name="region"/> and has <paramref name="approver"/> approve its gate on the card
    /// (with a second lead when the gate needs two); returns the finished run.
    /// </summary>
    public async Task<RunRecord> FailoverAsync(string starter, string approver, string region, TimeSpan? waitBeforeApproval = null, string command = "failover")
    {
        var started = await SayAsync(starter, $"{command} {region}");
        Assert.False(started.IsError, started.Text);
        var engine = bot.Get<RunbookEngine>();
        var run = (await bot.Store.ListRunsAsync(unfinishedOnly: true, None)).Single(r => r.Region == region);
        run = await engine.AdvanceAsync(run.Id, None);
        if (waitBeforeApproval is { } wait)
            bot.Time.Advance(wait);
        var second = bot.Get<Roster>().WithRole(Roles.Lead).Select(p => p.Name).First(n => n != starter && n != approver);
        await GateClicks.ApproveUntilOpenAsync(bot, run.Id, "primary confirmed down", approver, second);
        return await engine.AdvanceAsync(run.Id, None);
    }

    /// <summary>Moves the clock in one-minute steps, firing due timers at each step as the real loop does.</summary>
    public async Task AdvanceAsync(TimeSpan by, TimeSpan? step = null)
    {
        var tick = step ?? TimeSpan.FromMinutes(1);
        for (var moved = TimeSpan.Zero; moved < by; moved += tick)
        {
            bot.Time.Advance(tick);
            while (await bot.Get<TimerService>().FireDueAsync(None) > 0)
            {
            }
        }
    }

    public async Task<IReadOnlyList<string>> PostKeysAsync(string prefix) =>
        (await bot.LocalPostsAsync()).Where(m => m.PostKey.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m.PostKey).ToList();
}
