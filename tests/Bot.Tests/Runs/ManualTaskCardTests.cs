using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Cards.BlockKit;
using DrBot.Bot.Channels;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Cards.BlockKit;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Views;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using NJsonSchema;

namespace DrBot.Bot.Tests.Runs;

/// <summary>A manual task on the runbook card: instructions, a note box and Done, decided through the chat front door.</summary>
public sealed class ManualTaskCardTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["DrBot:Runbooks:legal-check:Title"] = "Data residency check",
        ["DrBot:Runbooks:legal-check:Steps:0:Id"] = "confirm-legal",
        ["DrBot:Runbooks:legal-check:Steps:0:Title"] = "Confirm data residency for {region} with legal",
        ["DrBot:Runbooks:legal-check:Steps:0:Kind"] = "manual",
        ["DrBot:Runbooks:legal-check:Steps:0:Role"] = "lead",
        ["DrBot:Runbooks:legal-check:Steps:0:Instructions"] = "Call legal on-call and confirm EU customer data may be served from {region}.",
        ["DrBot:Runbooks:legal-check:Steps:1:Id"] = "tell",
        ["DrBot:Runbooks:legal-check:Steps:1:Kind"] = "notify",
        ["DrBot:Runbooks:legal-check:Steps:1:Executor"] = "notify",
        ["DrBot:Runbooks:legal-check:Steps:1:Args:audience"] = "stakeholders",
        ["DrBot:Runbooks:legal-check:Steps:1:Args:text"] = "legal confirmed {region}",
    };

    private static ChatInput Click(InProcessBot bot, string who, CardButton button, string note)
    {
        var data = new Dictionary<string, string>(button.Data) { [CardVerbs.Reason] = note };
        return new ChatInput("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), null, new CardAction(button.Verb, data, null), null);
    }

    private static string Text(CardDocument card) => string.Join("\n", card.Body.OfType<TextBlock>().Select(b => b.Text));

    [Fact]
    public async Task The_card_shows_the_instructions_and_Done_and_the_note_of_whoever_clicked_it()
    {
        await using var bot = InProcessBot.Create(settings: Settings);
        var started = await bot.Get<RunbookService>().StartForExerciseAsync("legal-check", "west-us", InProcessBot.Person("alice"), None);
        var run = await bot.Get<RunbookEngine>().AdvanceAsync(started.Run!.Id, None);
        var card = await bot.Get<RunCardProjection>().BuildCardAsync(run, None);

        Assert.Contains("Call legal on-call and confirm EU customer data may be served from west-us.", Text(card), StringComparison.Ordinal);
        var done = Assert.Single(card.Buttons!, b => b.Verb == CardVerbs.Done);
        Assert.DoesNotContain(card.Buttons!, b => b.Verb == CardVerbs.Approve);
        Assert.Contains(card.Inputs!, i => i.Id == CardVerbs.Reason);
        await AssertValidOnEveryPlatformAsync(card);

        var byOnCall = await bot.Get<IChatInputHandler>().HandleAsync(Click(bot, "alice", done, "I asked"), None);
        var byLead = await bot.Get<IChatInputHandler>().HandleAsync(Click(bot, "bob", done, "legal (Sam) confirmed by phone, ticket LEG-12"), None);

        Assert.True(byOnCall.IsError);
        Assert.Contains("needs role lead", byOnCall.Text, StringComparison.Ordinal);
        Assert.False(byLead.IsError, byLead.Text);
        var after = (await bot.Store.GetRunAsync(run.Id, None))!;
        Assert.Equal(StepStatus.Approved, after.Step("confirm-legal")!.Status);
        Assert.Contains("☑ Done by Bob (local)", Text(byLead.Card!), StringComparison.Ordinal);
        Assert.Contains("note: “legal (Sam) confirmed by phone, ticket LEG-12”", Text(byLead.Card!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Done_can_be_typed_naming_the_run_and_the_step_with_a_note()
    {
        await using var bot = InProcessBot.Create(settings: Settings);
        var started = await bot.Get<RunbookService>().StartForExerciseAsync("legal-check", "west-us", InProcessBot.Person("alice"), None);
        var run = await bot.Get<RunbookEngine>().AdvanceAsync(started.Run!.Id, None);
        var say = new ChatInput("local", "local", null, new ChatUser("carol", "carol", bot.Get<Roster>().ByName("carol")), $"done {run.Id} confirm-legal legal said yes, LEG-13", null, null);

        var reply = await bot.Get<IChatInputHandler>().HandleAsync(say, None);

        Assert.False(reply.IsError, reply.Text);
        var decision = (await bot.Store.GetDecisionAsync(run.Id, "confirm-legal", None))!;
        Assert.Equal("carol", decision.DecidedBy);
        Assert.Equal("legal said yes, LEG-13", decision.Reason);
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
