using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Commands;

public sealed class CommandRouterTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ChatInput Say(InProcessBot bot, string who, string text) =>
        new("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null);

    [Fact]
    public async Task A_second_failover_to_the_same_region_is_refused_while_the_first_is_under_way()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var first = await router.HandleAsync(Say(bot, "alice", "/failover west-us"), None);
        var second = await router.HandleAsync(Say(bot, "carol", "/failover west-us"), None);

        Assert.False(first.Private, first.Text);
        Assert.True(second.Private);
        Assert.Contains("already under way", second.Text, StringComparison.Ordinal);
        Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, None));
    }

    [Fact]
    public async Task Someone_not_on_the_roster_may_ask_for_help_but_not_start_a_runbook()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var stranger = new ChatUser("U999", "mallory", null);

        var help = await router.HandleAsync(new ChatInput("slack", "C1", null, stranger, "help", null, null), None);
        var failover = await router.HandleAsync(new ChatInput("slack", "C1", null, stranger, "/failover west-us", null, null), None);

        Assert.Contains("failover <region>", help.Text, StringComparison.Ordinal);
        Assert.True(failover.IsError);
        Assert.Contains("not on the DrBot roster", failover.Text, StringComparison.Ordinal);
        Assert.Empty(await bot.Store.ListRunsAsync(unfinishedOnly: false, None));
    }

    [Fact]
    public async Task A_repeated_delivery_is_handled_once()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var input = Say(bot, "alice", "incident open P3 Backups are late") with { DeliveryId = "delivery-1" };

        await router.HandleAsync(input, None);
        var again = await router.HandleAsync(input, None);

        Assert.Contains("Already handled", again.Text, StringComparison.Ordinal);
        Assert.Single(await bot.Store.ListIncidentsAsync(openOnly: false, None));
    }

    [Fact]
    public async Task Failover_joins_the_open_P1_of_the_region_it_leaves_not_the_newest_incident_of_any_kind()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var incidents = bot.Get<Runbooks.Incidents.IncidentService>();
        await router.HandleAsync(Say(bot, "alice", "incident open P1 east-us is down"), None);
        var eastP1 = (await incidents.ListOpenAsync(None)).Single();
        await SetRegionAsync(bot, eastP1.Id, "east-us");
        await router.HandleAsync(Say(bot, "alice", "incident open P3 Backups are late"), None);

        var started = await router.HandleAsync(Say(bot, "alice", "/failover west-us"), None);

        Assert.Contains($"on {eastP1.Id}", started.Text, StringComparison.Ordinal);
        Assert.Equal(2, (await incidents.ListOpenAsync(None)).Count); // no third incident
    }

    [Fact]
    public async Task Failover_without_a_P1_of_the_region_it_leaves_opens_one_for_that_region()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(Say(bot, "alice", "incident open P3 Backups are late"), None);

        var started = await router.HandleAsync(Say(bot, "alice", "/failover west-us"), None);

        var p1 = (await bot.Get<Runbooks.Incidents.IncidentService>().ListOpenAsync(None)).Single(i => i.Severity == "P1");
        Assert.Equal("east-us", p1.Region);
        Assert.Contains($"on {p1.Id}", started.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failover_to_the_backup_region_is_refused_with_the_valid_targets_and_opens_nothing()
    {
        await using var bot = InProcessBot.Create();
        var reply = await bot.Get<IChatInputHandler>().HandleAsync(Say(bot, "alice", "/failover north-europe"), None);

        Assert.Contains("north-europe is a backup region", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Valid targets: east-us, west-us.", reply.Text, StringComparison.Ordinal);
        Assert.Empty(await bot.Store.ListIncidentsAsync(openOnly: false, None));
        Assert.Empty(await bot.Store.ListRunsAsync(unfinishedOnly: false, None));
    }

    private static async Task SetRegionAsync(InProcessBot bot, string incidentId, string region)
    {
        var incident = (await bot.Store.GetIncidentAsync(incidentId, None))!;
        incident.Region = region;
        Assert.True(await bot.Store.TryUpdateIncidentAsync(incident, incident.Version, None));
    }
}
