using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

public class FailurePolicyTests
{
    [Fact]
    public async Task Failed_pre_failover_checks_ask_a_lead_and_an_approval_continues_anyway()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        h.World.InjectReplicationLag("west-us", 90);
        var run = await h.StartAsync("region-failover", "west-us");

        var asking = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal("pre-failover-checks", asking.State);
        Assert.Equal(StepStatus.AwaitingApproval, asking.Steps[0].Status);
        Assert.Contains(asking.Steps[0].Checks, c => c.Id == "replication-lag" && !c.Passed);
        Assert.Equal(DecisionRefusal.WrongRole, (await h.DecideAsync(asking, "pre-failover-checks", "dana")).Refusal);

        Assert.True((await h.DecideAsync(asking, "pre-failover-checks", "bob")).Applied);
        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal("approve-failover", atGate.State);
        Assert.Equal(StepStatus.Succeeded, atGate.Steps[0].Status);
        Assert.Contains("continued anyway", atGate.Steps[0].Detail);
    }

    [Fact]
    public async Task Rejecting_failed_pre_failover_checks_ends_the_run_rejected_with_nothing_changed()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        h.World.InjectReplicationLag("west-us", 90);
        var run = await h.Engine.AdvanceAsync((await h.StartAsync("region-failover", "west-us")).Id, CancellationToken.None);

        Assert.True((await h.DecideAsync(run, "pre-failover-checks", "carol", approve: false)).Applied);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Rejected, final.Outcome);
        Assert.Empty(h.World.SideEffects);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_a_bounded_number_of_times_then_fails_the_run()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("west-us");
        var run = await h.StartAsync("application-failover", "west-us");

        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Failed, final.Outcome);
        Assert.Contains("gave up after 4 attempts", final.OutcomeReason);
        Assert.Equal(StepStatus.Failed, final.Step("cluster-credentials")!.Status);
        Assert.Empty(h.World.SideEffects);
    }

    [Fact]
    public async Task A_configured_runbook_runs_with_its_gate_and_a_manual_step_anyone_on_the_roster_confirms()
    {
        using var h = new EngineHarness(o => o.Runbooks["dns-cutover"] = new RunbookDefinitionOptions
        {
            Title = "DNS cut-over",
            Steps =
            [
                new() { Id = "approve", Title = "Approve the DNS cut-over to {region}", Kind = "gate", Role = "cto" },
                new() { Id = "update-dns", Title = "Update the DNS records by hand", Kind = "manual", Instructions = "Point www at the {region} load balancer in the registrar's console." },
                new() { Id = "tell", Kind = "notify", Executor = "notify", Args = new() { ["audience"] = "stakeholders", ["text"] = "DNS now points at {region} (was {from})" } },
            ],
        });
        var run = await h.Engine.AdvanceAsync((await h.StartAsync("dns-cutover", "west-us")).Id, CancellationToken.None);

        Assert.Equal(DecisionRefusal.WrongRole, (await h.DecideAsync(run, "approve", "bob")).Refusal);
        Assert.True((await h.DecideAsync(run, "approve", "dana")).Applied);
        var manual = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal("update-dns", manual.State);
        Assert.True((await h.DecideAsync(manual, "update-dns", "alice")).Applied);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Contains(h.Notifier.Posts, p => p.Text == "DNS now points at west-us (was east-us)");
    }
}
