using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>
    /// A step of kind runbook: starts the child run (once; a child started just before a crash is
    /// found again by its claim), then drives it — the parent advances the child, so whatever makes the
    /// child go on (a decision on its gate, a restart) queues the parent. While the child waits at a gate
    /// the parent waits too; when the child ends the step ends: succeeded goes on (the child's facts are
    /// kept), rejected or gate-expired ends the parent the same way, anything else fails it.
    /// </summary>
    private async Task<bool> RunChildAsync(RunRecord run, StepDefinition step, StepRecord record, RunMachine machine, CancellationToken cancellationToken)
    {
        if (record.ChildRunId is null)
        {
            record.Status = StepStatus.Running;
            record.StartedAt ??= _writer.Now;
            record.Attempts = Math.Max(record.Attempts, 1);
            var child = await StartChildAsync(run, step, cancellationToken);
            if (child.Run is null)
            {
                return await EndWithChildAsync(run, step, record, machine, null, child.Message, cancellationToken);
            }
            record.ChildRunId = child.Run.Id;
            record.Detail = $"runs {child.Run.Runbook} as {child.Run.Id}";
            _writer.Journal(run, step.Id, record.Attempts, JournalPhase.Started, null, record.Detail);
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepStarted, step.Id, record.Detail));
            await _writer.AuditAsync("drbot", "child-run-started", $"{run.Id}/{step.Id}", record.Detail, cancellationToken);
        }

        // One level deep (the validator refuses deeper nesting), so this never drives a grandchild.
        var childRun = await AdvanceAsync(record.ChildRunId, cancellationToken);
        if (!childRun.IsFinished)
        {
            return false;
        }
        return await EndWithChildAsync(run, step, record, machine, childRun, childRun.OutcomeReason ?? childRun.Outcome.ToString(), cancellationToken);
    }

    private async Task<StartRunResult> StartChildAsync(RunRecord run, StepDefinition step, CancellationToken cancellationToken)
    {
        var childName = _catalog.Find(step.Runbook)?.Name ?? step.Runbook ?? "";
        // A practice's child is a practice too, under its own claim.
        var claim = run.Practice ? RunClaims.PracticeKey(childName, run.Region) : RunClaims.Key(childName, run.Region);
        // A child this step started before the process stopped holds the claim: adopt it instead of a second one.
        if (await _store.GetValueAsync(claim, cancellationToken) is { } holder
            && await _store.GetRunAsync(holder, cancellationToken) is { ParentRunId: { } parent } existing && parent == run.Id)
        {
            return new StartRunResult(true, "adopted", existing);
        }
        // Started by whoever started the parent, so four-eyes holds on the child's gates too.
        var startedBy = new Actor(run.StartedBy, run.StartedBy, run.StartedByChannel, run.StartedBy);
        var started = await StartAsync(new StartRunRequest(childName, run.Region, startedBy, null, claim, run.Id, run.FromRegion, run.Practice), cancellationToken);
        return started.Started ? started : started with { Run = null, Message = $"{childName} could not start: {started.Message}" };
    }

    private async Task<bool> EndWithChildAsync(RunRecord run, StepDefinition step, StepRecord record, RunMachine machine, RunRecord? child, string detail, CancellationToken cancellationToken)
    {
        record.EndedAt = _writer.Now;
        var which = child is null ? "" : $"{child.Runbook} {child.Id} ";
        if (child is { Outcome: RunOutcome.Succeeded })
        {
            foreach (var (key, value) in child.Facts)
            {
                run.Facts[key] = value;
            }
            record.Status = StepStatus.Succeeded;
            record.Detail = $"{which}succeeded";
            _writer.Journal(run, step.Id, record.Attempts, JournalPhase.Completed, "succeeded", record.Detail);
            machine.CompleteStep();
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepFinished, step.Id, record.Detail));
            await _writer.AuditAsync("drbot", "step-succeeded", $"{run.Id}/{step.Id}", record.Detail, cancellationToken);
            return true;
        }

        record.Status = child?.Outcome is RunOutcome.Rejected or RunOutcome.GateExpired ? StepStatus.Rejected : StepStatus.Failed;
        record.Detail = $"{which}ended {child?.Outcome.ToString() ?? "before it started"}: {detail}";
        _writer.Journal(run, step.Id, record.Attempts, JournalPhase.Failed, child?.Outcome.ToString() ?? "not-started", record.Detail);
        await _writer.AuditAsync("drbot", "step-failed", $"{run.Id}/{step.Id}", record.Detail, cancellationToken);
        var reason = $"{record.Title}: {record.Detail}";
        switch (child?.Outcome)
        {
            case RunOutcome.Rejected:
                machine.ChildRejected();
                _writer.Finish(run, RunOutcome.Rejected, reason);
                await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepFinished, step.Id, record.Detail), new RunChange(RunChangeKind.Finished, step.Id, reason));
                break;
            case RunOutcome.GateExpired:
                machine.ExpireGate();
                _writer.Finish(run, RunOutcome.GateExpired, reason);
                await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateExpired, step.Id, reason), new RunChange(RunChangeKind.Finished, step.Id, reason));
                break;
            default:
                machine.FailRun();
                _writer.Finish(run, RunOutcome.Failed, reason);
                await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.StepFinished, step.Id, record.Detail), new RunChange(RunChangeKind.Finished, step.Id, reason));
                break;
        }
        return false;
    }

    /// <summary>The unfinished child runs of <paramref name="run"/> (a cancelled parent cancels them).</summary>
    public async Task<IReadOnlyList<string>> ChildrenOfAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var children = new List<string>();
        foreach (var id in run.Steps.Select(s => s.ChildRunId).OfType<string>())
        {
            if (await _store.GetRunAsync(id, cancellationToken) is { IsFinished: false })
            {
                children.Add(id);
            }
        }
        return children;
    }
}
