using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.Configuration;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The bot as a separate process, stopped past the point of no return and killed with SIGKILL: a lead's
/// Skip stored in the store just before the kill (the choice is recorded, then applied, in one call; a
/// crash can fall between the two) is applied by start-up recovery, with nobody clicking again.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PointOfNoReturnCrashTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_skip_stored_just_before_a_crash_is_applied_by_start_up_recovery_and_the_run_completes()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-ponr-crash-" + Guid.NewGuid().ToString("N"));
        try
        {
            var bot = await BotProcess.StartAsync(dataDir);
            await bot.SendAsync("bob", "drill region-down east-us");
            // west-us data no longer matches: the data-consistency check fails after the promotion.
            World(dataDir).InjectDataInconsistency("west-us");
            await bot.SendAsync("alice", "/failover west-us");
            var gate = await bot.WaitForMessageAsync(m => CardJson.Actions(m["card"]).Any(a => a.Verb == "approve"), Wait);
            await bot.ApproveOnCardAsync(gate["id"]!.GetValue<string>(), Wait, "bob", "carol");
            await bot.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == gate["id"]!.GetValue<string>()
                && CardJson.Text(m["card"]).Contains("Stopped past the point of no return", StringComparison.Ordinal), Wait);
            bot.Kill();

            // What a crash between recording Carol's Skip and applying it leaves: the choice in the store, the run still stopped.
            string runId;
            using (var store = new LiteDbStore(Path.Combine(dataDir, "drbot.db"), TimeProvider.System))
            {
                var run = Assert.Single(await store.ListRunsAsync(unfinishedOnly: true, default));
                runId = run.Id;
                Assert.Equal("data-consistency", run.State);
                Assert.True(PointOfNoReturn.IsGate(run, run.State));
                var key = PointOfNoReturn.DecisionKey(run.State, run.Step(run.State)!.Attempts);
                var skip = new GateDecision(run.Id, key, true, "carol", "Carol", "local", TimeProvider.System.GetUtcNow(),
                    PointOfNoReturn.Word(AfterPointOfNoReturn.Skip) + ": the check is known to be wrong here");
                Assert.True(await store.TryRecordDecisionAsync(skip, default));
            }

            // Restarted: nobody clicks, and the stored Skip moves the run on to the end.
            await using (bot = await BotProcess.StartAsync(dataDir))
            {
                var done = await bot.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == gate["id"]!.GetValue<string>()
                    && CardJson.Text(m["card"]).Contains("Succeeded", StringComparison.Ordinal), Wait);
                Assert.Contains("skipped after failing", CardJson.Text(done["card"]), StringComparison.Ordinal);
                Assert.DoesNotContain(CardJson.Actions(done["card"]), a => a.Verb is "retry-step" or "skip-step" or "roll-back-anyway");
            }
            using (var store = new LiteDbStore(Path.Combine(dataDir, "drbot.db"), TimeProvider.System))
            {
                var run = (await store.GetRunAsync(runId, default))!;
                Assert.Equal(RunOutcome.Succeeded, run.Outcome);
                Assert.Equal(StepStatus.Skipped, run.Step("data-consistency")!.Status);
                Assert.Equal(StepStatus.Succeeded, run.Step("timeline")!.Status);
            }
        }
        finally
        {
            try { Directory.Delete(dataDir, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>The bot's simulated world, through its shared state file (the bot sees the change at its next access).</summary>
    private static SimulatedWorld World(string dataDir)
    {
        var options = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, "appsettings.json")).Build()
            .GetSection(DrBotOptions.Section).Get<DrBotOptions>()!;
        return new SimulatedWorld(options, TimeProvider.System, Path.Combine(dataDir, "simulated-world.json"));
    }
}
