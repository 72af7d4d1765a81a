using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Executors;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>
    /// A rollback trigger: when production was changed, the machine goes to rolling-back and the
    /// compensations run (next turn). When nothing was changed yet, there is nothing to undo: the run fails.
    /// </summary>
    private async Task<bool> BeginRollbackAsync(RunRecord run, RunbookDefinition definition, RunMachine machine, string stepId, string reason, CancellationToken cancellationToken)
    {
        if (!RunSteps.ToCompensate(run, definition).Any() && !RunSteps.ChangedProduction(run, definition))
        {
            machine.FailRun();
            _writer.Finish(run, RunOutcome.Failed, $"{reason} (nothing had been changed, so nothing to roll back)");
            await _writer.SaveAsync(run, cancellationToken,
                new RunChange(RunChangeKind.StepFinished, stepId, reason),
                new RunChange(RunChangeKind.Finished, stepId, run.OutcomeReason!));
            return false;
        }
        machine.BeginRollback();
        run.OutcomeReason = reason;
        await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepFinished, stepId, $"rolling back: {reason}"));
        await _writer.AuditAsync("drbot", "rollback-started", run.Id, reason, cancellationToken);
        return true;
    }

    /// <summary>Runs the compensations of the completed actions, last first. Each is journalled and saved, so a restart carries on.</summary>
    private async Task RollBackAsync(RunRecord run, RunbookDefinition definition, RunMachine machine, CancellationToken cancellationToken)
    {
        var journal = await _store.GetJournalAsync(run.Id, cancellationToken);
        foreach (var step in RunSteps.ToCompensate(run, definition).ToList())
        {
            var record = RunSteps.RecordOf(run, step);
            var attempt = journal.Count(j => j.StepId == step.Id && j.Phase == JournalPhase.CompensationStarted) + 1;
            _writer.Journal(run, step.Id, attempt, JournalPhase.CompensationStarted, null, step.Compensation);
            record.Detail = $"compensating ({step.Compensation})";
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepStarted, step.Id, record.Detail));

            var result = await _steps.ExecuteAsync(run, step, step.Compensation, step.CompensationArgs ?? new Dictionary<string, string>(), cancellationToken);
            var succeeded = result.Kind == StepResultKind.Succeeded;
            record.Status = succeeded ? StepStatus.Compensated : StepStatus.CompensationFailed;
            record.Detail = $"compensated: {result.Detail}";
            record.EndedAt = _writer.Now;
            _writer.Journal(run, step.Id, attempt, JournalPhase.Compensated, succeeded ? "succeeded" : "failed", result.Detail);
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepFinished, step.Id, record.Detail));
            await _writer.AuditAsync("drbot", succeeded ? "step-compensated" : "compensation-failed", $"{run.Id}/{step.Id}", result.Detail, cancellationToken);
        }

        var failed = run.Steps.Where(s => s.Status == StepStatus.CompensationFailed).Select(s => s.Title).ToList();
        var irreversible = definition.Steps
            .Where(s => s.ChangesProduction && s.Compensation is null && run.Step(s.Id)?.Status == StepStatus.Succeeded)
            .Select(s => run.Step(s.Id)!.Title)
            .ToList();
        var reason = run.OutcomeReason ?? "rollback";
        if (irreversible.Count > 0)
        {
            reason += $"; not reversible, left as is: {string.Join(", ", irreversible)}";
        }
        if (failed.Count > 0)
        {
            machine.FinishRollback(complete: false);
            _writer.Finish(run, RunOutcome.Failed, $"{reason}; rollback incomplete, compensation failed: {string.Join(", ", failed)}");
        }
        else
        {
            machine.FinishRollback(complete: true);
            _writer.Finish(run, RunOutcome.RolledBack, reason);
        }
        await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.Finished, null, run.OutcomeReason!));
        await _writer.AuditAsync("drbot", run.Outcome == RunOutcome.RolledBack ? "run-rolled-back" : "rollback-failed", run.Id, run.OutcomeReason!, cancellationToken);
    }
}
