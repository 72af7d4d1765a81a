using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Views;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Commands;

/// <summary>
/// Issue 18's approval rules as people meet them in chat (in-process bot, simulated regions): a click without
/// the facts digest, a card whose facts changed, typed approvals bound to the current facts, and a typed
/// approve of a destructive gate answered with the box to type the region in.
/// </summary>
public sealed class ApprovalCommandTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ChatInput As(InProcessBot bot, string who, string? text, CardAction? click = null) =>
        new("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, click, null);

    private static async Task<RunRecord> RunAtGateAsync(InProcessBot bot, string start)
    {
        var router = bot.Get<IChatInputHandler>();
        Assert.False((await router.HandleAsync(As(bot, "alice", start), None)).IsError);
        var run = (await bot.Store.ListRunsAsync(unfinishedOnly: true, None)).Single();
        return await bot.Get<RunbookEngine>().AdvanceAsync(run.Id, None);
    }

    [Fact]
    public async Task A_gate_click_without_the_facts_digest_is_refused_with_the_current_card()
    {
        await using var bot = InProcessBot.Create();
        await bot.Get<IChatInputHandler>().HandleAsync(As(bot, "bob", "drill region-down east-us"), None);
        var run = await RunAtGateAsync(bot, "/failover west-us");
        var click = await GateClicks.FromCardAsync(bot, run.Id);
        var withoutDigest = new CardAction(click.Verb, click.Data.Where(kv => kv.Key != CardVerbs.Facts).ToDictionary(), null);

        var answer = await bot.Get<IChatInputHandler>().HandleAsync(As(bot, "bob", null, withoutDigest), None);

        Assert.True(answer.IsError);
        Assert.Contains("no digest of the facts", answer.Text, StringComparison.Ordinal);
        Assert.NotNull(answer.Card);
        Assert.Empty(await bot.Store.GetDecisionsAsync(run.Id, None));
    }

    [Fact]
    public async Task A_click_on_a_card_whose_facts_changed_is_refused_saying_what_changed_and_the_new_card_is_bound_to_the_new_facts()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(As(bot, "bob", "drill region-down east-us"), None);
        var run = await RunAtGateAsync(bot, "/failover west-us");
        var shown = await GateClicks.FromCardAsync(bot, run.Id);

        await router.HandleAsync(As(bot, "bob", "drill lag 120 west-us"), None);
        var refused = await router.HandleAsync(As(bot, "carol", null, shown), None);

        Assert.True(refused.IsError);
        Assert.Contains("The facts changed since the card was shown", refused.Text, StringComparison.Ordinal);
        Assert.Contains("check replication-lag: passed → failed", refused.Text, StringComparison.Ordinal);
        var card = RunbookCardText(refused);
        Assert.Contains("replication lag seconds 120 s (over 60 s)", card, StringComparison.Ordinal);
        Assert.Empty(await bot.Store.GetDecisionsAsync(run.Id, None));
        var fresh = await GateClicks.FromCardAsync(bot, run.Id);
        Assert.NotEqual(shown.Data[CardVerbs.Facts], fresh.Data[CardVerbs.Facts]);
        Assert.False((await router.HandleAsync(As(bot, "carol", null, fresh), None)).IsError);
    }

    [Fact]
    public async Task A_typed_approve_naming_the_gate_counts_as_one_of_two_and_a_second_lead_opens_it()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(As(bot, "bob", "drill region-down east-us"), None);
        var run = await RunAtGateAsync(bot, "/failover west-us");

        var first = await router.HandleAsync(As(bot, "bob", $"approve {run.Id} approve-failover east-us is down"), None);
        Assert.False(first.IsError, first.Text);
        Assert.Contains("1 more lead approval needed", first.Text, StringComparison.Ordinal);
        var again = await router.HandleAsync(As(bot, "bob", $"approve {run.Id} approve-failover"), None);
        Assert.True(again.IsError);
        Assert.Contains("already approved", again.Text, StringComparison.Ordinal);
        var second = await router.HandleAsync(As(bot, "carol", $"approve {run.Id} approve-failover"), None);
        Assert.False(second.IsError, second.Text);
        Assert.NotEqual("approve-failover", (await bot.Store.GetRunAsync(run.Id, None))!.State);
    }

    [Fact]
    public async Task A_typed_approve_of_a_destructive_gate_answers_with_the_box_and_decides_nothing()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        await router.HandleAsync(As(bot, "bob", "drill lag 90 west-us"), None);
        var run = await RunAtGateAsync(bot, "failover-db west-us");
        Assert.False((await GateClicks.ClickAsync(bot, run.Id, "bob")).IsError);
        run = await bot.Get<RunbookEngine>().AdvanceAsync(run.Id, None);
        Assert.Equal("accept-data-loss", run.State);

        var typed = await router.HandleAsync(As(bot, "carol", $"approve {run.Id} accept-data-loss"), None);

        Assert.True(typed.Private);
        Assert.Contains("type west-us in the box", typed.Text, StringComparison.Ordinal);
        Assert.Contains(typed.Card!.InputFields, i => i.Id == CardVerbs.Confirm);
        var confirm = Assert.Single(typed.Card.Actions);
        Assert.True(confirm.Data.ContainsKey(CardVerbs.Facts));
        Assert.DoesNotContain(await bot.Store.GetDecisionsAsync(run.Id, None), d => d.StepId == "accept-data-loss");

        // The box filled in wrongly, then rightly, on that confirm card.
        var wrong = await router.HandleAsync(As(bot, "carol", null, new CardAction(confirm.Verb, new Dictionary<string, string>(confirm.Data) { [CardVerbs.Confirm] = "westus" }, null)), None);
        Assert.True(wrong.IsError);
        Assert.Contains("type the target region's name, west-us", wrong.Text, StringComparison.Ordinal);
        var right = await router.HandleAsync(As(bot, "carol", null, new CardAction(confirm.Verb, new Dictionary<string, string>(confirm.Data) { [CardVerbs.Confirm] = "west-us" }, null)), None);
        Assert.False(right.IsError, right.Text);
    }

    private static string RunbookCardText(ChatReply reply) =>
        string.Join("\n", reply.Card!.Body.OfType<DrBot.Bot.Cards.TextBlock>().Select(b => b.Text));
}
