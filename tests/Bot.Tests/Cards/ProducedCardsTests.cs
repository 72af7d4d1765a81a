using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Cards.BlockKit;
using DrBot.Bot.Channels;
using DrBot.Bot.Commands;
using DrBot.Bot.Incidents;
using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Bot.Tests.CardValidation;
using DrBot.Bot.Tests.Cards.BlockKit;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Engine;
using NJsonSchema;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Cards;

/// <summary>
/// Not samples: every card the bot actually posts during a rehearsed incident — alert, incident
/// header, war room, runbook card at every step, approval notices, notify steps, status posts,
/// escalations, the summary — rendered for Teams/web chat and for Slack and checked against the
/// official schema, the official adaptivecards library, the 28 KB limit and Block Kit's rules.
/// </summary>
public sealed class ProducedCardsTests
{
    [Fact]
    public async Task Every_card_of_a_rehearsed_incident_is_valid_on_every_platform()
    {
        var cards = await RehearseAsync();
        Assert.True(cards.Count > 20, $"only {cards.Count} cards were produced");

        var renderer = new AdaptiveCardRenderer();
        var rendered = cards.Select((c, i) => (Name: $"{i}:{c.Key}", Json: renderer.Render(c.Card))).ToList();
        var schema = await JsonSchema.FromFileAsync(RepoPaths.Schema("adaptive-card-1.5.schema.json"));
        foreach (var (name, json) in rendered)
        {
            var copy = json.DeepClone().AsObject();
            copy.Remove("msteams");
            var errors = schema.Validate(copy.ToJsonString());
            Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}"))}");
            Assert.InRange(AdaptiveCardRenderer.SizeInBytes(json), 1, 28 * 1024);
        }

        var report = await NodeCardValidator.ValidateAsync(rendered.ToDictionary(r => r.Name, r => r.Json), CancellationToken.None);
        Assert.All(report, r => Assert.True(r.Value.Count == 0, $"{r.Key}: {string.Join("; ", r.Value)}"));

        var blockKit = new BlockKitRenderer();
        foreach (var (key, card) in cards)
        {
            var message = blockKit.Render(card);
            BlockKitShape.AssertValid(new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() });
        }
    }

    private static async Task<List<(string Key, CardDocument Card)>> RehearseAsync()
    {
        await using var bot = InProcessBot.Create();
        var router = bot.Get<IChatInputHandler>();
        var engine = bot.Get<RunbookEngine>();
        var ct = CancellationToken.None;
        ChatInput Say(string who, string text) => new("local", "local", null, new ChatUser(who, who, bot.Get<DrBot.Runbooks.People.Roster>().ByName(who)), text, null, null);

        await router.HandleAsync(Say("bob", "drill region-down east-us"), ct);
        await router.HandleAsync(Say("alice", "/failover west-us"), ct);
        var run = (await bot.Store.ListRunsAsync(unfinishedOnly: true, ct)).Single();
        run = await engine.AdvanceAsync(run.Id, ct);
        var gate = run.State;
        Assert.True((await GateClicks.ClickAsync(bot, run.Id, "alice", reason: "east-us confirmed down")).IsError);
        await GateClicks.ApproveUntilOpenAsync(bot, run.Id, "east-us confirmed down", "bob", "carol");
        run = await engine.AdvanceAsync(run.Id, ct);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);

        await router.HandleAsync(Say("alice", "incident open P2 Replication lag on west-us"), ct);
        for (var minute = 0; minute < 35; minute++)
        {
            bot.Time.Advance(TimeSpan.FromMinutes(1));
            while (await bot.Get<TimerService>().FireDueAsync(ct) > 0)
            {
            }
        }
        await router.HandleAsync(Say("bob", "update failover done, watching error rates"), ct);
        await router.HandleAsync(Say("bob", "incident status"), ct);
        await router.HandleAsync(Say("bob", "incident resolve INC-0001"), ct);
        await router.HandleAsync(Say("bob", "incident close INC-0001"), ct);
        // The strategy features' cards: post-mortem draft (above), a chaos drill and its result, a due scheduled drill.
        await router.HandleAsync(Say("carol", "drill network-partition"), ct);
        await router.HandleAsync(Say("bob", "drill check"), ct);
        await bot.Get<DrBot.Bot.Drills.DrillScheduler>().EnsureTimersAsync(ct);
        for (var hour = 0; hour < 24 * 8; hour++)
        {
            bot.Time.Advance(TimeSpan.FromHours(1));
            while (await bot.Get<TimerService>().FireDueAsync(ct) > 0)
            {
            }
        }

        return (await bot.Store.ListOutboxAsync(undeliveredOnly: false, ct))
            .Where(m => m.Channel == "local")
            .Select(m => (m.PostKey, JsonSerializer.Deserialize<CardDocument>(m.Payload, CardPublisher.Json)!))
            .ToList();
    }
}
