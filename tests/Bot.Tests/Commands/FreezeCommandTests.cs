using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Commands;

/// <summary><c>freeze</c> and <c>unfreeze</c> through the chat front door (the permission policy, the router, the cards).</summary>
public sealed class FreezeCommandTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ChatInput Say(InProcessBot bot, string who, string text) =>
        new("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, null, null);

    private static string CardText(CardDocument card) => string.Join("\n", card.Body.OfType<TextBlock>().Select(b => b.Text));

    [Fact]
    public async Task A_lead_freezes_every_run_card_says_who_and_why_and_a_failover_opens_nothing()
    {
        await using var bot = InProcessBot.Create();
        var chat = bot.Get<IChatInputHandler>();
        await chat.HandleAsync(Say(bot, "alice", "/failover west-us"), None);
        var run = (await bot.Store.ListRunsAsync(unfinishedOnly: true, None)).Single();
        var incidentsBefore = (await bot.Store.ListIncidentsAsync(openOnly: false, None)).Count;

        var frozen = await chat.HandleAsync(Say(bot, "bob", "freeze waiting for the DNS provider"), None);
        var failover = await chat.HandleAsync(Say(bot, "carol", "/failover-db west-us"), None);

        Assert.False(frozen.Private, frozen.Text);
        Assert.Contains("Bob froze DrBot: waiting for the DNS provider", frozen.Text, StringComparison.Ordinal);
        Assert.Contains("Frozen by Bob: waiting for the DNS provider", CardText(await bot.Get<RunCardProjection>().BuildCardAsync(run, None)), StringComparison.Ordinal);
        Assert.True(failover.IsError);
        Assert.Contains("frozen by Bob: waiting for the DNS provider", failover.Text, StringComparison.Ordinal);
        Assert.Equal(incidentsBefore, (await bot.Store.ListIncidentsAsync(openOnly: false, None)).Count);
        Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, None));
        // The freeze refreshed the card already posted: its update carries the banner.
        Assert.Contains(await bot.LocalPostsAsync(), m => m.Payload.Contains("Frozen by Bob", StringComparison.Ordinal));

        var unfrozen = await chat.HandleAsync(Say(bot, "carol", "unfreeze"), None);

        Assert.False(unfrozen.IsError, unfrozen.Text);
        Assert.DoesNotContain("Frozen by", CardText(await bot.Get<RunCardProjection>().BuildCardAsync(run, None)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Someone_who_is_not_a_lead_is_refused_by_the_permission_policy_and_nothing_freezes()
    {
        await using var bot = InProcessBot.Create();

        var reply = await bot.Get<IChatInputHandler>().HandleAsync(Say(bot, "alice", "freeze"), None);

        Assert.True(reply.IsError);
        Assert.Contains("`freeze` needs lead", reply.Text, StringComparison.Ordinal);
        Assert.Null(await bot.Get<FreezeService>().CurrentAsync(None));
    }

    [Fact]
    public async Task A_freeze_is_still_there_after_the_bot_restarts()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-freeze-" + Guid.NewGuid().ToString("N"));
        await using (var first = InProcessBot.Create(dataDir))
        {
            await first.Get<IChatInputHandler>().HandleAsync(Say(first, "bob", "freeze change window closed"), None);
        }

        await using var restarted = InProcessBot.Create(dataDir);
        var failover = await restarted.Get<IChatInputHandler>().HandleAsync(Say(restarted, "alice", "/failover west-us"), None);

        Assert.Contains("frozen by Bob: change window closed", failover.Text, StringComparison.Ordinal);
        Assert.Empty(await restarted.Store.ListRunsAsync(unfinishedOnly: false, None));
    }
}
