using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The bot as a separate process, killed with SIGKILL while a gate is pending and again while the
/// failover is mid-way, restarted on the same data: the card stays usable, the run finishes, and
/// every simulated side effect happened exactly once.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class CrashRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_failover_survives_being_killed_at_the_gate_and_mid_way_with_each_side_effect_once()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-crash-" + Guid.NewGuid().ToString("N"));
        // Realistic delays so there is a "mid-way" to kill the process in.
        var settings = new Dictionary<string, string> { ["DrBot__Infrastructure__SimulatedDelayFactor"] = "1.0" };

        var bot = await BotProcess.StartAsync(dataDir, settings);
        await bot.SendAsync("bob", "drill region-down east-us");
        await bot.SendAsync("alice", "/failover west-us");
        var card = await bot.WaitForMessageAsync(m => HasApprove(m), Wait);
        bot.Kill();

        // Restarted with the gate pending: the same card still works.
        bot = await BotProcess.StartAsync(dataDir, settings);
        // bob on the card posted before the restart, then (region failover needs two leads) carol on the card as it is then.
        var approve = CardJson.Actions(card["card"]).First(a => a.Verb == "approve");
        var current = CardJson.Actions((await bot.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == card["id"]!.GetValue<string>(), Wait))["card"]).First(a => a.Verb == "approve");
        Assert.Equal(approve.Data, current.Data);
        var reply = await bot.ApproveOnCardAsync(card["id"]!.GetValue<string>(), Wait, "bob", "carol");
        Assert.False(reply["reply"]!["isError"]!.GetValue<bool>(), reply.ToJsonString());

        // Kill it while the failover is mid-way: some step after the gate done, the run not finished.
        await bot.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == card["id"]!.GetValue<string>()
            && CardJson.Text(m["card"]).Contains("Approved by Carol", StringComparison.Ordinal)
            && SideEffects(dataDir).Any(e => e.Kind == "database.promote"), Wait);
        Assert.DoesNotContain("Succeeded", CardJson.Text((await bot.MessagesAsync()).OfType<JsonObject>().First(m => m["id"]!.GetValue<string>() == card["id"]!.GetValue<string>())["card"]));
        bot.Kill();

        await using (bot = await BotProcess.StartAsync(dataDir, settings))
        {
            var done = await bot.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == card["id"]!.GetValue<string>()
                && CardJson.Text(m["card"]).Contains("Succeeded", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
            Assert.DoesNotContain(CardJson.Actions(done["card"]), a => a.Verb == "approve");
        }

        var effects = SideEffects(dataDir);
        var repeated = effects.GroupBy(e => (e.Kind, e.Region, e.Detail)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(repeated);
        Assert.Single(effects, e => e.Kind == "database.promote" && e.Region == "west-us");
        Assert.Contains(effects, e => e.Kind.StartsWith("traffic", StringComparison.Ordinal) && e.Region == "west-us");
        Assert.Contains(effects, e => e.Kind == "cluster.scale" && e.Region == "west-us");
    }

    private static bool HasApprove(JsonObject message) => CardJson.Actions(message["card"]).Any(a => a.Verb == "approve");

    private sealed record Effect(string Region, string Kind, string Detail);

    private static List<Effect> SideEffects(string dataDir)
    {
        var path = Path.Combine(dataDir, "simulated-world.json");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var state = JsonNode.Parse(File.ReadAllText(path))!;
                var list = state["SideEffects"] ?? state["sideEffects"];
                return list!.AsArray().Select(e => new Effect(
                    (e!["Region"] ?? e["region"])!.GetValue<string>(),
                    (e["Kind"] ?? e["kind"])!.GetValue<string>(),
                    (e["Detail"] ?? e["detail"])!.GetValue<string>())).ToList();
            }
            catch (FileNotFoundException)
            {
                return [];
            }
            catch (Exception ex) when (ex is IOException or JsonException && attempt < 10)
            {
                Thread.Sleep(50); // the bot replaces the file atomically; a read may race the rename
            }
        }
    }
}
