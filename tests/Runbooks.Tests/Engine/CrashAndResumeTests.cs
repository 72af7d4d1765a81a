using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>
/// The bot stops at every point of a region failover: after each saved change of the run (every step
/// boundary, gate included) and right after each side effect, before the step could record it. A new
/// engine on the same LiteDB file and the same world finishes the run; each side effect happens once.
/// </summary>
public class CrashAndResumeTests
{
    private static async Task<(IReadOnlyList<string> SideEffects, int FinalVersion)> BaselineAsync()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        var final = await h.RunToEndAsync(await h.StartAsync("region-failover", "west-us"));
        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        return (h.SideEffects(), final.Version);
    }

    /// <summary>Advances the run, approving gates with bob (and carol where two leads are needed), until it ends; stops when the token fires.</summary>
    private static async Task<RunRecord> DriveAsync(EngineHarness h, string runId, CancellationToken cancellationToken)
    {
        var run = await h.Engine.AdvanceAsync(runId, cancellationToken);
        while (!run.IsFinished)
        {
            var gate = run.State;
            var approvals = run.Step(gate)?.Approvals.Select(a => a.Name).ToHashSet() ?? [];
            var who = approvals.Contains("bob") ? "carol" : "bob";
            var decision = await h.Engine.DecideAsync(new(runId, gate, EngineHarness.Person(who), true, null, null, Confirmation: run.Region), cancellationToken);
            if (decision.Refusal == DrBot.Runbooks.Approvals.DecisionRefusal.AlreadyApproved)
            {
                // Stopped after bob's approval was recorded but before the run was saved: it still counts, once.
                decision = await h.Engine.DecideAsync(new(runId, gate, EngineHarness.Person("carol"), true, null, null, Confirmation: run.Region), cancellationToken);
            }
            Assert.True(decision.Applied, decision.Message);
            run = await h.Engine.AdvanceAsync(runId, cancellationToken);
        }
        return run;
    }

    private static async Task<RunRecord> RestartAndFinishAsync(EngineHarness h, string runId)
    {
        h.Restart();
        await h.Engine.ResumeUnfinishedAsync(CancellationToken.None);
        return await DriveAsync(h, runId, CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_after_any_saved_change_and_resuming_on_a_new_engine_does_each_side_effect_once()
    {
        var (baseline, finalVersion) = await BaselineAsync();

        for (var stopAt = 1; stopAt < finalVersion; stopAt++)
        {
            using var h = new EngineHarness();
            h.World.InjectRegionDown("east-us");
            var run = await h.StartAsync("region-failover", "west-us");
            using var crash = new CancellationTokenSource();
            var version = stopAt;
            h.Observer.OnChange = (r, _) =>
            {
                if (r.Version >= version)
                {
                    crash.Cancel();
                }
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DriveAsync(h, run.Id, crash.Token));
            h.Observer.OnChange = null;

            var final = await RestartAndFinishAsync(h, run.Id);

            Assert.True(RunOutcome.Succeeded == final.Outcome, $"stopped at version {stopAt}: {final.Outcome} {final.OutcomeReason}");
            Assert.Equal(baseline, h.SideEffects());
        }
    }

    [Fact]
    public async Task Stopping_right_after_any_side_effect_and_resuming_re_verifies_the_step_and_does_it_once()
    {
        var (baseline, _) = await BaselineAsync();

        for (var crashAfter = 1; crashAfter <= baseline.Count; crashAfter++)
        {
            using var h = new EngineHarness();
            h.World.InjectRegionDown("east-us");
            var run = await h.StartAsync("region-failover", "west-us");
            using var crash = new CancellationTokenSource();
            var target = crashAfter;
            h.World.AfterSideEffect = effect =>
            {
                if (effect.Sequence == target)
                {
                    crash.Cancel();
                    throw new OperationCanceledException("simulated crash right after a side effect", crash.Token);
                }
                return ValueTask.CompletedTask;
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DriveAsync(h, run.Id, crash.Token));
            h.World.AfterSideEffect = null;
            var interrupted = await h.Store.GetRunAsync(run.Id, CancellationToken.None);
            Assert.Equal(StepStatus.Running, interrupted!.Step(interrupted.State)!.Status);

            var final = await RestartAndFinishAsync(h, run.Id);

            Assert.True(RunOutcome.Succeeded == final.Outcome, $"crashed after side effect {crashAfter}: {final.Outcome} {final.OutcomeReason}");
            Assert.Equal(baseline, h.SideEffects());
            Assert.Contains(await h.Store.ReadAuditAsync(CancellationToken.None), e => e.Action == "step-resumed");
        }
    }

    [Fact]
    public async Task A_pending_gate_stays_pending_after_a_restart()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        var run = await h.Engine.AdvanceAsync((await h.StartAsync("region-failover", "west-us")).Id, CancellationToken.None);
        Assert.Equal("approve-failover", run.State);

        h.Restart();
        var resumed = await h.Engine.ResumeUnfinishedAsync(CancellationToken.None);

        Assert.Empty(resumed);
        var stored = await h.Store.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal(StepStatus.AwaitingApproval, stored!.Step("approve-failover")!.Status);
        Assert.Equal(run.Version, stored.Version);
        Assert.Empty(h.World.SideEffects);
    }
}
