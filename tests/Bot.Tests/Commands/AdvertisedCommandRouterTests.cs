using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Commands;

/// <summary>The shortcuts the manifests advertise do what the long forms do.</summary>
public sealed class AdvertisedCommandRouterTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ChatInput Say(InProcessBot bot, string who, string text) =>
        new("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null);

    [Fact]
    public async Task Runbook_status_shows_the_current_card_of_that_run()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(Say(bot, "alice", "runbook start failover west-us"), None);
        var run = Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, None));

        var status = await router.HandleAsync(Say(bot, "carol", $"runbook status {run.Id}"), None);
        var missing = await router.HandleAsync(Say(bot, "carol", "runbook status run-999"), None);

        Assert.NotNull(status.Card);
        Assert.Contains(run.Id, status.Text, StringComparison.Ordinal);
        Assert.Null(missing.Card);
        Assert.Contains("No run run-999", missing.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ack_acknowledges_the_latest_open_incident()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(Say(bot, "alice", "incident open P3 Backups are late"), None);

        var ack = await router.HandleAsync(Say(bot, "alice", "ack"), None);

        Assert.Contains("acknowledged", ack.Text, StringComparison.Ordinal);
        var incident = Assert.Single(await bot.Store.ListIncidentsAsync(openOnly: false, None));
        Assert.NotNull(incident.AcknowledgedAt);
    }
}
