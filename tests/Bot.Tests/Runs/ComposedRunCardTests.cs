using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Cards.BlockKit;
using DrBot.Bot.Channels;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Cards.BlockKit;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Views;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using NJsonSchema;

namespace DrBot.Bot.Tests.Runs;

/// <summary>The composed region failover in chat: the child's gate is on the parent's card and decided from it.</summary>
public sealed class ComposedRunCardTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static ChatInput As(InProcessBot bot, string who, string? text, CardAction? click = null) =>
        new("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), text, click, null);

    private static string Text(CardDocument card) => string.Join("\n", card.Body.OfType<TextBlock>().Select(b => b.Text));

    [Fact]
    public async Task The_childs_gate_is_shown_on_the_parent_card_and_approving_it_there_decides_the_child()
    {
        await using var bot = InProcessBot.Create();
        var chat = bot.Get<IChatInputHandler>();
        var started = await chat.HandleAsync(As(bot, "bob", "runbook start region-failover-composed west-us"), None);
        Assert.False(started.IsError, started.Text);
        var parent = (await bot.Store.ListRunsAsync(unfinishedOnly: true, None)).Single();
        parent = await bot.Get<RunbookEngine>().AdvanceAsync(parent.Id, None);
        var child = (await bot.Store.GetRunAsync(parent.Step("database-failover")!.ChildRunId!, None))!;

        var card = await bot.Get<RunCardProjection>().BuildCardAsync(parent, None);

        Assert.Contains($"Child run {child.Id}: Database failover → west-us", Text(card), StringComparison.Ordinal);
        Assert.Contains("Approval needed:** Approve promotion of the west-us database", Text(card), StringComparison.Ordinal);
        var approve = Assert.Single(card.Actions, b => b.Verb == CardVerbs.Approve);
        Assert.Equal(child.Id, approve.Data[CardVerbs.RunId]);
        Assert.Equal("approve-promotion", approve.Data[CardVerbs.StepId]);
        await AssertValidOnEveryPlatformAsync(card);
        // The child posts no card of its own: its changes update the parent's card.
        var posts = await bot.LocalPostsAsync();
        Assert.DoesNotContain(posts, m => m.PostKey == RunbookCard.PostKey(child.Id));
        Assert.Contains(posts, m => m.PostKey == RunbookCard.PostKey(parent.Id) && m.Payload.Contains("approve-promotion", StringComparison.Ordinal));

        var bySelf = await chat.HandleAsync(As(bot, "bob", null, new CardAction(approve.Verb, approve.Data, null)), None);
        var byCarol = await chat.HandleAsync(As(bot, "carol", null, new CardAction(approve.Verb, approve.Data, null)), None);

        Assert.True(bySelf.IsError);
        Assert.Contains("Four-eyes", bySelf.Text, StringComparison.Ordinal);
        Assert.False(byCarol.IsError, byCarol.Text);
        Assert.Contains($"Child run {child.Id}", Text(byCarol.Card!), StringComparison.Ordinal); // the clicked card stays the parent's
        parent = await bot.Get<RunbookEngine>().AdvanceAsync(parent.Id, None);
        Assert.Equal(RunOutcome.Succeeded, (await bot.Store.GetRunAsync(child.Id, None))!.Outcome);
        Assert.Equal("application-failover", parent.State);
    }

    private static async Task AssertValidOnEveryPlatformAsync(CardDocument card)
    {
        var json = new AdaptiveCardRenderer().Render(card);
        var copy = json.DeepClone().AsObject();
        copy.Remove("msteams");
        var schema = await JsonSchema.FromFileAsync(RepoPaths.Schema("adaptive-card-1.5.schema.json"));
        Assert.Empty(schema.Validate(copy.ToJsonString()));
        var message = new BlockKitRenderer().Render(card);
        BlockKitShape.AssertValid(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() });
    }
}
