using DrBot.Runbooks.Application;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Tests.Freeze;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>Runbooks that run runbooks: the child runs as its own run, driven by the parent, its gates decided as the parent's.</summary>
public sealed class ComposedRunbookTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EngineHarness _h = new(o =>
    {
        // A child that fails: the region it checks is not down.
        o.Runbooks["check-target-down"] = new RunbookDefinitionOptions
        {
            Steps = [new() { Id = "target-down", Kind = "check", Executor = "check.primary-down", Args = new() { ["region"] = "{region}" } }],
        };
        o.Runbooks["wrapper"] = new RunbookDefinitionOptions
        {
            Steps =
            [
                new() { Id = "inner", Title = "Run the inner check", Kind = "runbook", Runbook = "check-target-down" },
                new() { Id = "tell", Kind = "notify", Executor = "notify", Args = new() { ["audience"] = "stakeholders", ["text"] = "wrapper done" } },
            ],
        };
    });
    private readonly RecordingQueue _queue = new();
    private readonly RunbookService _service;

    public ComposedRunbookTests() =>
        _service = new RunbookService(_h.Engine, _h.Get<RunbookCatalog>(),
            new IncidentService(_h.Store, new AuditLog(_h.Store, _h.Time), _h.Time, Options.Create(_h.Options), _h.Store),
            new RunQueries(_h.Store), _h.Store, _queue);

    public void Dispose() => _h.Dispose();

    private async Task<(RunRecord Parent, RunRecord Child)> AtChildGateAsync(string step)
    {
        var parent = await _h.Engine.AdvanceAsync((await _h.StartAsync(BuiltInRunbooks.RegionFailoverComposed, "west-us", by: "bob")).Id, None);
        Assert.Equal(step, parent.State);
        var childId = parent.Step(step)!.ChildRunId;
        Assert.NotNull(childId);
        var child = (await _h.Store.GetRunAsync(childId, None))!;
        Assert.Equal(parent.Id, child.ParentRunId);
        Assert.NotNull(child.PendingGate());
        return (parent, child);
    }

    [Fact]
    public async Task The_composed_region_failover_runs_each_child_and_goes_on_when_their_gates_are_decided()
    {
        var (parent, dbChild) = await AtChildGateAsync("database-failover");
        Assert.Equal(BuiltInRunbooks.DatabaseFailover, dbChild.Runbook);
        Assert.Equal("approve-promotion", dbChild.State);
        Assert.DoesNotContain(_h.SideEffects(), e => e.StartsWith("database.promote", StringComparison.Ordinal));

        // Four-eyes carries over: the parent's starter may not decide the child's gate either.
        Assert.Equal(DecisionRefusal.SelfApproval, (await _service.DecideAsync(new GateDecisionRequest(dbChild.Id, "approve-promotion", EngineHarness.Person("bob"), true, null, dbChild.Version), None)).Refusal);
        Assert.True((await _service.DecideAsync(new GateDecisionRequest(dbChild.Id, "approve-promotion", EngineHarness.Person("carol"), true, "go", dbChild.Version), None)).Applied);
        // The parent drives the child: the decision queues the parent, not the child.
        Assert.Equal([parent.Id], _queue.Queued);

        parent = await _h.Engine.AdvanceAsync(parent.Id, None);
        Assert.Equal(RunOutcome.Succeeded, (await _h.Store.GetRunAsync(dbChild.Id, None))!.Outcome);
        Assert.Equal(StepStatus.Succeeded, parent.Step("database-failover")!.Status);
        Assert.Equal(StepStatus.Succeeded, parent.Step("update-connection-string")!.Status);
        Assert.Equal("application-failover", parent.State);
        var appChild = (await _h.Store.GetRunAsync(parent.Step("application-failover")!.ChildRunId!, None))!;
        Assert.Equal("approve-traffic-switch", appChild.State);

        Assert.True((await _service.DecideAsync(new GateDecisionRequest(appChild.Id, "approve-traffic-switch", EngineHarness.Person("carol"), true, null, appChild.Version), None)).Applied);
        parent = await _h.Engine.AdvanceAsync(parent.Id, None);

        Assert.Equal(RunOutcome.Succeeded, parent.Outcome);
        Assert.Contains(_h.SideEffects(), e => e.StartsWith("database.promote west-us", StringComparison.Ordinal));
        Assert.Contains(_h.SideEffects(), e => e.StartsWith("traffic.", StringComparison.Ordinal));
        Assert.Null(await _service.UnderWayAsync(BuiltInRunbooks.DatabaseFailover, "west-us", None)); // the children gave their claims back
    }

    [Fact]
    public async Task A_child_that_fails_fails_its_parent_and_nothing_after_it_runs()
    {
        var parent = await _h.Engine.AdvanceAsync((await _h.StartAsync("wrapper", "west-us")).Id, None);

        var child = (await _h.Store.GetRunAsync(parent.Step("inner")!.ChildRunId!, None))!;
        Assert.Equal(RunOutcome.Failed, child.Outcome);
        Assert.Equal(RunOutcome.Failed, parent.Outcome);
        Assert.Contains($"check-target-down {child.Id} ended Failed", parent.OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Pending, parent.Step("tell")!.Status);
        Assert.DoesNotContain(_h.Notifier.Posts, p => p.Text == "wrapper done");
    }

    [Fact]
    public async Task A_rejected_child_gate_ends_the_parent_rejected()
    {
        var (parent, child) = await AtChildGateAsync("database-failover");

        Assert.True((await _service.DecideAsync(new GateDecisionRequest(child.Id, "approve-promotion", EngineHarness.Person("carol"), false, "not yet", child.Version), None)).Applied);
        parent = await _h.Engine.AdvanceAsync(parent.Id, None);

        Assert.Equal(RunOutcome.Rejected, parent.Outcome);
        Assert.Equal("application-failover", parent.Steps[2].StepId);
        Assert.Null(parent.Step("application-failover")!.ChildRunId);
    }

    [Fact]
    public async Task A_child_gate_that_expires_ends_the_parent_gate_expired_with_its_escalation()
    {
        var (parent, _) = await AtChildGateAsync("database-failover");

        _h.Time.Advance(_h.Options.Approvals.Expiry + TimeSpan.FromMinutes(1));
        await _h.Engine.ExpireDueGatesAsync(None);

        parent = (await _h.Store.GetRunAsync(parent.Id, None))!;
        Assert.Equal(RunOutcome.GateExpired, parent.Outcome);
        Assert.Contains(_h.Observer.Changes, c => c.RunId == parent.Id && c.Change.Kind == RunChangeKind.GateExpired);
    }

    [Fact]
    public async Task Cancelling_the_parent_cancels_its_child()
    {
        var (parent, child) = await AtChildGateAsync("database-failover");

        await _service.CancelAsync(parent.Id, EngineHarness.Person("bob"), "wrong region", None);

        Assert.Equal(RunOutcome.Cancelled, (await _h.Store.GetRunAsync(child.Id, None))!.Outcome);
        Assert.Null(await _service.UnderWayAsync(BuiltInRunbooks.DatabaseFailover, "west-us", None));
    }

    [Theory]
    [InlineData("self", "'self' runs itself: a cycle")]
    [InlineData("nested", "'wrapper' runs other runbooks itself (leaf); composition is one level deep")]
    [InlineData("loop-a", "'loop-a' runs 'loop-b', which runs 'loop-a': a cycle")]
    [InlineData("unknown", "unknown runbook 'no-such-runbook'; valid:")]
    public void Deeper_nesting_cycles_and_unknown_children_are_refused_naming_the_key(string runbook, string expected)
    {
        static RunbookDefinitionOptions Runs(string child) => new() { Steps = [new() { Id = "child", Kind = "runbook", Runbook = child }] };
        var configured = new Dictionary<string, RunbookDefinitionOptions>
        {
            ["leaf"] = new() { Steps = [new() { Id = "tell", Kind = "notify", Executor = "notify" }] },
            ["wrapper"] = Runs("leaf"),
            ["self"] = Runs("self"),
            ["nested"] = Runs("wrapper"),
            ["loop-a"] = Runs("loop-b"),
            ["loop-b"] = Runs("loop-a"),
            ["unknown"] = Runs("no-such-runbook"),
        };

        var errors = new RunbookDefinitionValidator(DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames).Validate(configured);

        Assert.Contains(errors, e => e.StartsWith($"DrBot:Runbooks:{runbook}:Steps:0:Runbook: ", StringComparison.Ordinal) && e.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.StartsWith("DrBot:Runbooks:wrapper:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_built_in_composition_is_one_level_deep()
    {
        var children = BuiltInRunbooks.All.ToDictionary(d => d.Name, d => d.Steps.Where(s => s.Kind == StepKind.Runbook).Select(s => s.Runbook).ToList(), StringComparer.OrdinalIgnoreCase);
        var composed = BuiltInRunbooks.All.Single(d => d.Name == BuiltInRunbooks.RegionFailoverComposed);

        Assert.Equal([BuiltInRunbooks.DatabaseFailover, BuiltInRunbooks.ApplicationFailover], composed.Steps.Where(s => s.Kind == StepKind.Runbook).Select(s => s.Runbook));
        Assert.All(composed.Steps.Where(s => s.Kind == StepKind.Runbook), s => Assert.Null(RunbookComposition.Problem(composed.Name, s.Runbook, children)));
    }
}
