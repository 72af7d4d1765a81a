using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

public class StartAndCancelTests
{
    [Fact]
    public async Task An_unknown_runbook_is_not_started_and_the_valid_ones_are_listed()
    {
        using var h = new EngineHarness();

        var result = await h.Engine.StartAsync(new StartRunRequest("region-failvoer", "west-us", EngineHarness.Person("alice"), null), CancellationToken.None);

        Assert.False(result.Started);
        Assert.Null(result.Run);
        Assert.Contains("Unknown runbook 'region-failvoer'", result.Message);
        Assert.Contains("region-failover", result.Message);
        Assert.Empty(await h.Store.ListRunsAsync(false, CancellationToken.None));
    }

    [Fact]
    public async Task An_unknown_region_is_not_started_and_the_valid_ones_are_listed()
    {
        using var h = new EngineHarness();

        var result = await h.Engine.StartAsync(new StartRunRequest("region-failover", "west-eu", EngineHarness.Person("alice"), null), CancellationToken.None);

        Assert.False(result.Started);
        Assert.Equal("Unknown region 'west-eu'. Valid: east-us, north-europe, west-us.", result.Message);
    }

    [Fact]
    public async Task Someone_not_on_the_roster_cannot_start_a_run_and_the_refusal_is_audited()
    {
        using var h = new EngineHarness();
        var stranger = new Actor(null, "Mallory", "slack", "U999");

        var result = await h.Engine.StartAsync(new StartRunRequest("region-failover", "west-us", stranger, null), CancellationToken.None);

        Assert.False(result.Started);
        Assert.Contains("not on the roster", result.Message);
        Assert.Contains(await h.Store.ReadAuditAsync(CancellationToken.None), e => e.Action == "run-start-refused");
    }

    [Fact]
    public async Task Starting_stores_the_run_without_executing_any_step()
    {
        using var h = new EngineHarness();

        var run = await h.StartAsync("region-failover", "west-us");

        var stored = await h.Store.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunStates.Created, stored!.State);
        Assert.All(stored.Steps, s => Assert.Equal(StepStatus.Pending, s.Status));
        Assert.Empty(h.World.SideEffects);
        Assert.Equal("Promote the west-us database to primary", stored.Step("promote-database")!.Title);
    }

    [Fact]
    public async Task A_run_waiting_at_a_gate_can_be_cancelled_and_no_further_step_runs()
    {
        using var h = new EngineHarness();
        var run = await h.Engine.AdvanceAsync((await h.StartAsync("database-failover", "west-us")).Id, CancellationToken.None);
        Assert.Equal("approve-promotion", run.State);

        var cancelled = await h.Engine.CancelAsync(run.Id, EngineHarness.Person("bob"), "drill over", CancellationToken.None);
        var decision = await h.DecideAsync(run, "approve-promotion", "carol");
        var after = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Cancelled, cancelled!.Outcome);
        Assert.False(decision.Applied);
        Assert.Equal(RunOutcome.Cancelled, after.Outcome);
        Assert.Empty(h.World.SideEffects);
    }

    [Fact]
    public void The_graph_of_every_runbook_exports_as_mermaid_and_dot_naming_every_step()
    {
        using var h = new EngineHarness();
        var catalog = new DrBot.Runbooks.Definitions.RunbookCatalog(new Dictionary<string, DrBot.Runbooks.Policy.RunbookDefinitionOptions>(), DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames);

        foreach (var definition in catalog.All)
        {
            var mermaid = h.Engine.ExportGraph(definition.Name, GraphFormat.Mermaid);
            var dot = h.Engine.ExportGraph(definition.Name, GraphFormat.Dot);

            Assert.StartsWith("stateDiagram-v2", mermaid.TrimStart());
            Assert.StartsWith("digraph", dot.TrimStart());
            foreach (var step in definition.Steps)
            {
                Assert.Contains(step.Id, mermaid);
                Assert.Contains(step.Id, dot);
            }
            Assert.Contains(RunStates.Succeeded, mermaid);
            Assert.Contains(RunStates.Cancelled, dot);
        }
    }
}
