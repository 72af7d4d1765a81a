using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Executors;
using Microsoft.Extensions.Logging;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>
    /// Drives the run until it finishes or waits at a gate. One step per turn of the run's lock, so
    /// a cancellation or a decision can come in between steps. A step found running (the process
    /// stopped mid-step) is run again: its executor verifies before acting. With several replicas,
    /// only the holder of the run's lease advances it (renewed while a step runs, released when the
    /// run stops); when another replica holds it, this returns the run as stored without touching it.
    /// Every save is fenced by the lease: when one is refused, or a renewal is (this replica paused past
    /// its lease and another took the run over), the local execution stops and the run is left to the holder.
    /// </summary>
    public async Task<RunRecord> AdvanceAsync(string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunRecord run;
            bool more;
            using (await _leases.LockAsync(runId, cancellationToken))
            {
                if (!await _leases.TryLeaseAsync(runId, cancellationToken))
                {
                    return await _store.GetRunAsync(runId, cancellationToken)
                        ?? throw new ArgumentException($"No run '{runId}'.", nameof(runId));
                }
                await using (var renewal = _leases.RenewWhileRunning(runId, cancellationToken))
                {
                    run = await _store.GetRunAsync(runId, cancellationToken)
                        ?? throw new ArgumentException($"No run '{runId}'.", nameof(runId));
                    try
                    {
                        more = await AdvanceOneStepAsync(run, renewal.Token);
                    }
                    catch (Exception ex) when (ex is RunLeaseLostException
                        || (ex is OperationCanceledException && renewal.Lost && !cancellationToken.IsCancellationRequested))
                    {
                        // Another replica holds the run now (this step outlived the lease): stop here and leave
                        // the run to it. Nothing more of this run happens on this replica until it leases it again.
                        LogExecutionStopped(_logger, runId, ReplicaId, ex is RunLeaseLostException ? "a save was refused by the lease fence" : "a lease renewal was refused");
                        return await _store.GetRunAsync(runId, cancellationToken)
                            ?? throw new ArgumentException($"No run '{runId}'.", nameof(runId));
                    }
                }
                if (!more)
                {
                    await _leases.ReleaseAsync(runId, cancellationToken);
                }
            }
            if (!more)
            {
                return run;
            }
        }
    }

    /// <summary>Takes the run one step further; false when it is finished or waiting for a decision.</summary>
    private async Task<bool> AdvanceOneStepAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.IsFinished)
        {
            return false;
        }
        var definition = _catalog.Find(run.Runbook);
        if (definition is null)
        {
            _writer.Finish(run, RunOutcome.Failed, $"the runbook '{run.Runbook}' is no longer defined");
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.Finished, null, run.OutcomeReason!));
            return false;
        }
        // A freeze holds the run at this step boundary: nothing starts, no step (nor a rollback) begins.
        // A decision already recorded is still applied; the run then waits before its next step.
        var freeze = await _freeze.CurrentAsync(cancellationToken);
        var machine = new RunMachine(definition, run, frozen: freeze is not null);
        if (run.State == RunStates.Created)
        {
            if (!machine.CanStart)
            {
                return Held(run, freeze!);
            }
            machine.Start();
        }
        if (RunStates.IsTerminal(run.State))
        {
            return await FinishFromStateAsync(run, cancellationToken);
        }
        if (freeze is not null && (run.State == RunStates.RollingBack || run.Step(run.State)?.Status != StepStatus.AwaitingApproval))
        {
            return Held(run, freeze);
        }
        if (run.State == RunStates.RollingBack)
        {
            await RollBackAsync(run, definition, machine, cancellationToken);
            return false;
        }

        var step = definition.Step(run.State)
            ?? throw new InvalidOperationException($"Run {run.Id} is at '{run.State}', which '{definition.Name}' does not define.");
        var record = RunSteps.RecordOf(run, step);
        if (step.Kind is StepKind.Gate or StepKind.Manual)
        {
            return await ReachGateAsync(run, definition, step, record, machine, cancellationToken);
        }
        if (record.Status == StepStatus.AwaitingApproval && PointOfNoReturn.IsGate(run, step.Id))
        {
            return await ApplyStoredPointOfNoReturnDecisionAsync(run, definition, step, record, cancellationToken);
        }
        if (record.Status == StepStatus.AwaitingApproval)
        {
            return await ApplyStoredDecisionAsync(run, definition, step, machine, cancellationToken);
        }
        if (step.Kind == StepKind.Runbook)
        {
            return await RunChildAsync(run, step, record, machine, cancellationToken);
        }
        return await ExecuteStepAsync(run, definition, step, record, machine, cancellationToken);
    }

    /// <summary>Leaves the run where it is until <c>unfreeze</c> queues it again; its card shows the freeze.</summary>
    private bool Held(RunRecord run, Freeze.FreezeState freeze)
    {
        LogHeldByFreeze(_logger, run.Id, run.State, freeze.DisplayName, freeze.Reason);
        return false;
    }

    private async Task<bool> FinishFromStateAsync(RunRecord run, CancellationToken cancellationToken)
    {
        // Reached the end of the steps (or a definition without steps): the run succeeded.
        _writer.Finish(run, RunOutcome.Succeeded, "all steps done");
        await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.Finished, null, "succeeded"));
        await _writer.AuditAsync("drbot", run.Practice ? "practice-succeeded" : "run-succeeded", run.Id, Summary(run), cancellationToken);
        return false;
    }

    private async Task<bool> ExecuteStepAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, StepRecord record, RunMachine machine, CancellationToken cancellationToken)
    {
        var interrupted = record.Status == StepStatus.Running;
        record.Attempts++;
        record.Status = StepStatus.Running;
        record.StartedAt ??= _writer.Now;
        record.Detail = interrupted ? "re-verifying after an interrupted attempt" : "running";
        _writer.Journal(run, step.Id, record.Attempts, JournalPhase.Started, null, record.Detail);
        await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepStarted, step.Id, record.Title));
        if (interrupted)
        {
            await _writer.AuditAsync("drbot", "step-resumed", $"{run.Id}/{step.Id}", $"attempt {record.Attempts} re-verifies an interrupted attempt", cancellationToken);
        }

        var (result, checks) = await _steps.RunAsync(run, step, cancellationToken);

        foreach (var (key, value) in result.Facts ?? new Dictionary<string, string>())
        {
            run.Facts[key] = value;
        }
        record.Checks = checks;
        record.EndedAt = _writer.Now;
        record.Detail = result.Detail;
        if (result.Kind == StepResultKind.Succeeded)
        {
            record.Status = StepStatus.Succeeded;
            _writer.Journal(run, step.Id, record.Attempts, JournalPhase.Completed, "succeeded", result.Detail);
            machine.CompleteStep();
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepFinished, step.Id, result.Detail));
            await _writer.AuditAsync("drbot", "step-succeeded", $"{run.Id}/{step.Id}", result.Detail, cancellationToken);
            return true;
        }

        record.Status = StepStatus.Failed;
        _writer.Journal(run, step.Id, record.Attempts, JournalPhase.Failed, result.RollbackSignal ?? "failed", result.Detail);
        await _writer.AuditAsync("drbot", "step-failed", $"{run.Id}/{step.Id}", $"{result.RollbackSignal} {result.Detail}".Trim(), cancellationToken);
        if (PointOfNoReturn.IsPassed(run, definition))
        {
            return await StopAtPointOfNoReturnAsync(run, definition, step, record, result, cancellationToken);
        }
        if (result.RollbackSignal is not null || step.OnFailure == FailurePolicy.Rollback)
        {
            var reason = result.RollbackSignal is null ? $"{record.Title} failed: {result.Detail}" : $"{result.RollbackSignal}: {result.Detail}";
            return await BeginRollbackAsync(run, definition, machine, step.Id, reason, cancellationToken);
        }
        if (step.OnFailure == FailurePolicy.AskGate)
        {
            return await AskAboutFailureAsync(run, step, record, cancellationToken);
        }
        machine.FailRun();
        _writer.Finish(run, RunOutcome.Failed, $"{record.Title} failed: {result.Detail}");
        await _writer.SaveAsync(run, cancellationToken,
            new RunChange(RunChangeKind.StepFinished, step.Id, result.Detail),
            new RunChange(RunChangeKind.Finished, step.Id, run.OutcomeReason!));
        return false;
    }

    /// <summary>OnFailure = gate: the failed step waits for a person with the step's role to continue anyway or stop.</summary>
    private async Task<bool> AskAboutFailureAsync(RunRecord run, StepDefinition step, StepRecord record, CancellationToken cancellationToken)
    {
        record.Status = StepStatus.AwaitingApproval;
        record.Detail = $"{record.Detail} — approve to continue anyway, reject to stop";
        run.GateExpiresAt = _writer.Now + _options.Approvals.Expiry;
        _writer.Journal(run, step.Id, record.Attempts, JournalPhase.GateOpened, null, record.Detail);
        await _writer.SaveAsync(run, cancellationToken,
            new RunChange(RunChangeKind.StepFinished, step.Id, record.Detail),
            new RunChange(RunChangeKind.GateOpened, step.Id, record.Detail));
        await _writer.AuditAsync("drbot", "gate-opened", $"{run.Id}/{step.Id}", $"failed step needs role {RunMachine.GateRole(step)}: {record.Detail}", cancellationToken);
        return false;
    }

    /// <summary>A gate is reached: skipped when its condition does not hold, otherwise opened (or still waiting).</summary>
    private async Task<bool> ReachGateAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, StepRecord record, RunMachine machine, CancellationToken cancellationToken)
    {
        if (record.Status == StepStatus.AwaitingApproval)
        {
            return await ApplyStoredDecisionAsync(run, definition, step, machine, cancellationToken);
        }
        if (StepCondition.TryParse(step.Condition, out var condition) && machine.CanSkipGate)
        {
            var seen = run.Facts.TryGetValue(condition!.Fact, out var value) ? value : "unknown";
            record.Title = StepArguments.ResolveTitle(step.Title, run); // a skipped data-loss gate names the loss it did not ask about
            record.Status = StepStatus.Skipped;
            record.EndedAt = _writer.Now;
            record.Detail = $"skipped: {condition} does not hold ({condition.Fact} = {seen})";
            _writer.Journal(run, step.Id, 1, JournalPhase.Skipped, "skipped", record.Detail);
            machine.SkipGate();
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateSkipped, step.Id, record.Detail));
            await _writer.AuditAsync("drbot", "gate-skipped", $"{run.Id}/{step.Id}", record.Detail, cancellationToken);
            return true;
        }
        // Facts measured since the run started (the lag a data-loss gate names) are known now.
        record.Title = StepArguments.ResolveTitle(step.Title, run);
        record.Status = StepStatus.AwaitingApproval;
        record.StartedAt = _writer.Now;
        record.Attempts = Math.Max(record.Attempts, 1);
        record.Detail = step.Kind == StepKind.Manual
            ? $"waiting for {(RunMachine.GateRole(step) is { } doer ? $"someone with role {doer}" : "someone on the roster")} to do it and click Done"
            : $"waiting for approval by role {RunMachine.GateRole(step)}";
        run.GateExpiresAt = record.StartedAt + (step.Expiry ?? _options.Approvals.Expiry);
        _writer.Journal(run, step.Id, 1, JournalPhase.GateOpened, null, record.Detail);
        await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateOpened, step.Id, record.Detail));
        await _writer.AuditAsync("drbot", "gate-opened", $"{run.Id}/{step.Id}", $"{record.Title}: {record.Detail}, expires {run.GateExpiresAt:O}", cancellationToken);
        return false;
    }

    /// <summary>
    /// A decision recorded in the store but not yet applied to the run (the process stopped in
    /// between) is applied now; otherwise the gate keeps waiting.
    /// </summary>
    private async Task<bool> ApplyStoredDecisionAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, RunMachine machine, CancellationToken cancellationToken)
    {
        var decision = await _store.GetDecisionAsync(run.Id, step.Id, cancellationToken);
        if (decision is null)
        {
            return false;
        }
        await _gates.ApplyDecisionAsync(run, definition, step, machine, decision, cancellationToken);
        return !run.IsFinished;
    }

    [LoggerMessage(EventId = LogEvents.RunExecutionStopped, Level = LogLevel.Warning,
        Message = "Run {RunId}: replica {Replica} stopped executing it because {Cause}; the run is left to the replica holding its lease (or to recovery)")]
    private static partial void LogExecutionStopped(ILogger logger, string runId, string replica, string cause);

    [LoggerMessage(EventId = LogEvents.RunHeldByFreeze, Level = LogLevel.Information,
        Message = "Run {RunId} waits at '{State}': frozen by {FrozenBy}: {Reason}")]
    private static partial void LogHeldByFreeze(ILogger logger, string runId, string state, string frozenBy, string reason);

    private static string Summary(RunRecord run) =>
        $"{(run.Practice ? "practice of " : "")}{run.Runbook} {run.FromRegion} → {run.Region}: {run.Outcome}" +
        (run.Facts.TryGetValue("rpo_seconds", out var rpo) ? $", measured RPO {rpo} s" : "");
}
