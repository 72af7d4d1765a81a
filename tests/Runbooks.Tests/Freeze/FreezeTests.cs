using DrBot.Runbooks.Application;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Freeze;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Tests.Engine;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Freeze;

/// <summary>The freeze lever: no run starts, running ones wait at their next step boundary, unfreeze lets them go on.</summary>
public sealed class FreezeTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EngineHarness _h = new();
    private readonly RecordingQueue _queue = new();

    public void Dispose() => _h.Dispose();

    internal static FreezeService Service(EngineHarness h, RecordingQueue queue) =>
        new(h.Store, h.Get<Roster>(), queue, h.Time, Options.Create(h.Options), [h.Observer]);

    [Fact]
    public async Task A_freeze_during_a_run_holds_it_at_the_next_step_and_unfreeze_lets_it_go_on()
    {
        var freeze = Service(_h, _queue);
        var run = await _h.StartAsync(BuiltInRunbooks.DatabaseFailover, "west-us");
        run = await _h.Engine.AdvanceAsync(run.Id, None);
        Assert.Equal("approve-promotion", run.State);

        Assert.True((await freeze.FreezeAsync(EngineHarness.Person("bob"), "vendor is on the line", None)).Ok);
        // A decision is still recorded and applied while frozen; the run then waits before its next step.
        Assert.True((await _h.DecideAsync(run, "approve-promotion", "carol")).Applied);
        run = await _h.Engine.AdvanceAsync(run.Id, None);

        Assert.False(run.IsFinished);
        Assert.Equal(StepStatus.Approved, run.Step("approve-promotion")!.Status);
        var held = run.Step(run.State)!;
        Assert.Equal(StepStatus.Pending, held.Status);
        Assert.DoesNotContain(_h.SideEffects(), e => e.StartsWith("database.promote", StringComparison.Ordinal));
        Assert.Empty(_queue.Queued);

        var unfrozen = await freeze.UnfreezeAsync(EngineHarness.Person("carol"), None);

        Assert.True(unfrozen.Ok, unfrozen.Message);
        Assert.Equal([run.Id], _queue.Queued);
        var finished = await _h.RunToEndAsync(run);
        Assert.Equal(RunOutcome.Succeeded, finished.Outcome);
        Assert.Contains(_h.SideEffects(), e => e.StartsWith("database.promote", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_freeze_that_comes_while_a_step_runs_lets_that_step_finish_and_holds_the_next()
    {
        var freeze = Service(_h, _queue);
        var run = await _h.StartAsync(BuiltInRunbooks.DatabaseFailover, "west-us");
        _h.Observer.OnChange = (changed, change) =>
        {
            if (change.Kind == RunChangeKind.StepStarted && change.StepId == "check-replication-lag")
            {
                Task.Run(() => freeze.FreezeAsync(EngineHarness.Person("bob"), "hold everything", None)).GetAwaiter().GetResult();
            }
        };

        run = await _h.Engine.AdvanceAsync(run.Id, None);

        Assert.Equal(StepStatus.Succeeded, run.Step("check-replication-lag")!.Status);
        Assert.Equal("approve-promotion", run.State);
        Assert.Equal(StepStatus.Pending, run.Step("approve-promotion")!.Status); // the gate did not even open
        Assert.Null(run.GateExpiresAt);
    }

    [Fact]
    public async Task A_freeze_refuses_new_runs_saying_who_froze_and_why()
    {
        var freeze = Service(_h, _queue);
        await freeze.FreezeAsync(EngineHarness.Person("bob"), "DNS provider incident, wait for them", None);

        var started = await _h.Engine.StartAsync(new StartRunRequest(BuiltInRunbooks.RegionFailover, "west-us", EngineHarness.Person("alice"), "INC-1"), None);
        // The health monitor starts as the system, and is refused the same way.
        var automatic = await _h.Engine.StartAsync(new StartRunRequest(BuiltInRunbooks.RegionFailover, "west-us", Actor.System("health-monitor"), "INC-1"), None);

        Assert.False(started.Started);
        Assert.Contains("frozen by bob: DNS provider incident, wait for them", started.Message, StringComparison.Ordinal);
        Assert.False(automatic.Started);
        Assert.Empty(await _h.Store.ListRunsAsync(unfinishedOnly: false, None));
        var audit = await new DrBot.Runbooks.Audit.AuditLog(_h.Store, _h.Time).ReadAsync(None);
        Assert.Contains(audit, e => e.Action == "freeze" && e.Actor.Contains("bob", StringComparison.Ordinal) && e.Detail == "DNS provider incident, wait for them");
        Assert.Equal(2, audit.Count(e => e.Action == "run-start-refused"));
    }

    [Fact]
    public async Task Only_a_lead_may_freeze_or_unfreeze_and_a_refusal_changes_nothing()
    {
        var freeze = Service(_h, _queue);

        var byOnCall = await freeze.FreezeAsync(EngineHarness.Person("alice"), "I think we should stop", None);
        var byStranger = await freeze.FreezeAsync(new Actor("mallory", "mallory", "local", "mallory"), "stop", None);

        Assert.False(byOnCall.Ok);
        Assert.Contains("needs role lead", byOnCall.Message, StringComparison.Ordinal);
        Assert.False(byStranger.Ok);
        Assert.Contains("not on the roster", byStranger.Message, StringComparison.Ordinal);
        Assert.Null(await freeze.CurrentAsync(None));

        await freeze.FreezeAsync(EngineHarness.Person("bob"), "hold", None);
        var unfreezeByOnCall = await freeze.UnfreezeAsync(EngineHarness.Person("alice"), None);

        Assert.False(unfreezeByOnCall.Ok);
        Assert.Equal("bob", (await freeze.CurrentAsync(None))?.By);
        var refusals = (await new DrBot.Runbooks.Audit.AuditLog(_h.Store, _h.Time).ReadAsync(None)).Where(e => e.Action is "freeze-refused" or "unfreeze-refused").ToList();
        Assert.Equal(3, refusals.Count);
    }

    [Fact]
    public async Task A_second_freeze_says_who_froze_first_and_keeps_that_freeze()
    {
        var freeze = Service(_h, _queue);
        await freeze.FreezeAsync(EngineHarness.Person("bob"), "first reason", None);

        var again = await freeze.FreezeAsync(EngineHarness.Person("carol"), "second reason", None);

        Assert.False(again.Ok);
        Assert.Contains("Already frozen by bob: first reason", again.Message, StringComparison.Ordinal);
        Assert.Equal("first reason", (await freeze.CurrentAsync(None))?.Reason);
    }

    [Fact]
    public async Task An_unreadable_freeze_record_counts_as_a_freeze()
    {
        await _h.Store.SetValueAsync(RunFreeze.Key, "{not json", None);

        var started = await _h.Engine.StartAsync(new StartRunRequest(BuiltInRunbooks.DatabaseFailover, "west-us", EngineHarness.Person("alice"), "INC-1"), None);

        Assert.False(started.Started);
        Assert.Contains("unfreeze", started.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_diagram_shows_that_a_freeze_holds_the_start()
    {
        var mermaid = _h.Engine.ExportGraph(BuiltInRunbooks.DatabaseFailover, GraphFormat.Mermaid);

        Assert.Contains("no freeze is active", mermaid, StringComparison.Ordinal);
    }
}

internal sealed class RecordingQueue : IRunQueue
{
    private readonly List<string> _queued = [];

    public IReadOnlyList<string> Queued
    {
        get { lock (_queued) { return [.. _queued]; } }
    }

    public void Enqueue(string runId)
    {
        lock (_queued)
        {
            _queued.Add(runId);
        }
    }
}
