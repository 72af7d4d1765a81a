using System.Globalization;
using System.Text.Json.Nodes;
using DrBot.Bot.Drills;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Drills;

namespace DrBot.Bot.Tests.Replicas;

/// <summary>
/// The testing schedule on two bot processes sharing one PostgreSQL store, with real time: a due drill
/// is announced by exactly one "drill due" card, later occurrences while it waits post nothing, the
/// first lead's Postpone wins whichever replica it reaches, and the card comes back only when the
/// postponement is over — and nothing runs unapproved.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ScheduleReplicaTests
{
    private const string Line = "test-line";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task Two_replicas_announce_a_due_drill_once_and_respect_the_first_Postpone_until_it_is_over()
    {
        var settings = new Dictionary<string, string>
        {
            [$"DrBot__Drills__Schedule__{Line}__Exercise"] = ExerciseKinds.CascadingFailure,
            [$"DrBot__Drills__Schedule__{Line}__Every"] = "00:01:00",
            // Every minute from this minute on: the first occurrence is at most a minute away.
            [$"DrBot__Drills__Schedule__{Line}__At"] = TimeProvider.System.GetUtcNow().ToString("HH:mm", CultureInfo.InvariantCulture),
            ["DrBot__Drills__PostponeBy"] = "00:01:00",
            ["DrBot__Drills__OverdueGrace"] = "1.00:00:00",
        };
        foreach (var line in new[] { "monthly-region-failure", "monthly-backup-restore", "weekly-database-failover", "weekly-network", "weekly-data-consistency", "daily-service-failures" })
            settings[$"DrBot__Drills__Schedule__{line}__Enabled"] = "false";
        await using var pair = await ReplicaPair.StartAsync(delayFactor: 0.05, settings);

        var (_, due) = await pair.WaitForMessageAsync(m => Text(m).Contains("Drill due: cascading-failure", StringComparison.Ordinal), Wait);
        var postpone = CardJson.Actions(due["card"]).Single(a => a.Verb == DrillScheduleCards.PostponeVerb);
        var first = await pair.B.ClickAsync("bob", due["id"]!.GetValue<string>(), postpone.Verb, postpone.Data);
        Assert.False(first["reply"]!["isError"]!.GetValue<bool>(), first.ToJsonString());
        var second = await pair.A.ClickAsync("carol", due["id"]!.GetValue<string>(), postpone.Verb, postpone.Data);
        Assert.True(second["reply"]!["isError"]!.GetValue<bool>(), second.ToJsonString());   // the first decision won

        await pair.WaitForMessageAsync(m => Text(m).Contains("Drill due: cascading-failure (postponed 1×)", StringComparison.Ordinal), Wait);

        var state = await pair.Store.GetValueAsync(DrillScheduleState.Key(Line), CancellationToken.None);
        var dueAt = DrBot.Runbooks.Storage.StoreJson.Read<DrillScheduleState>(state!).DueAt!.Value;
        var card = (await pair.Store.ListOutboxAsync(undeliveredOnly: false, CancellationToken.None))
            .Where(m => m.PostKey.StartsWith($"drill-due:{Line}:", StringComparison.Ordinal)).OrderBy(m => m.Sequence).ToList();
        // One card, published three times in all across both replicas: due, postponed by Bob, due again.
        Assert.Equal(3, card.Count);
        var titles = card.Select(m => JsonNode.Parse(m.Payload)!["title"]!.GetValue<string>()).ToList();
        Assert.EndsWith("Drill due: cascading-failure", titles[0], StringComparison.Ordinal);
        Assert.Contains("postponed by Bob", titles[1], StringComparison.Ordinal);
        Assert.EndsWith("Drill due: cascading-failure (postponed 1×)", titles[2], StringComparison.Ordinal);
        Assert.True(card[2].CreatedAt >= dueAt, $"the card came back at {card[2].CreatedAt:O}, before the postponed due time {dueAt:O}");
        // The line kept firing every minute while the drill waited: those occurrences posted nothing.
        Assert.True(await pair.ScalarAsync<long>("SELECT count(*) FROM drbot_idempotency_keys WHERE key LIKE $1", $"timer:drill-due:{Line}:%") >= 2);
        Assert.Equal(1L, await pair.ScalarAsync<long>("SELECT count(*) FROM drbot_idempotency_keys WHERE key LIKE $1", $"drill-decision:{Line}:%"));
        Assert.Empty(JsonNode.Parse(await pair.A.Http.GetStringAsync(new Uri("exercises.json", UriKind.Relative)))!.AsArray());   // nothing ran unapproved
    }

    private static string Text(JsonObject message) => CardJson.Text(message["card"]);
}
