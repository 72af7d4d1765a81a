using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>
    /// A step failed past the point of no return: nothing is compensated. The run stops at a gate on the
    /// failed step, titled with what failed and what is already done, that does not expire.
    /// </summary>
    private async Task<bool> StopAtPointOfNoReturnAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, StepRecord record, StepResult result, CancellationToken cancellationToken)
    {
        var done = PointOfNoReturn.Done(run, definition);
        var why = result.RollbackSignal is null ? result.Detail : $"{result.RollbackSignal}: {result.Detail}";
        record.Status = StepStatus.AwaitingApproval;
        record.Detail = $"{record.Title} failed: {why}. Past the point of no return (done: {string.Join(", ", done)}), so nothing is undone automatically: " +
            "Retry step, Skip it, or Roll back anyway (a second lead confirms)";
        run.Facts[PointOfNoReturn.GateFact] = step.Id;
        run.GateExpiresAt = null;
        _writer.Journal(run, step.Id, record.Attempts, JournalPhase.GateOpened, "point-of-no-return", record.Detail);
        await _writer.SaveAsync(run, cancellationToken,
            new RunChange(RunChangeKind.StepFinished, step.Id, why),
            new RunChange(RunChangeKind.GateOpened, step.Id, record.Detail));
        await _writer.AuditAsync("drbot", "point-of-no-return-stop", $"{run.Id}/{step.Id}", record.Detail, cancellationToken);
        return false;
    }

    /// <summary>
    /// Retry step, Skip, or Roll back anyway at the point-of-no-return gate. Leads only, never the person who
    /// started the run; the first valid choice wins the stop. Roll back anyway needs two leads: the first
    /// asks, a second confirms with the same button. The caller then advances the run.
    /// </summary>
    public async Task<DecisionResult> DecideAfterPointOfNoReturnAsync(PointOfNoReturnRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await DecideAfterPointOfNoReturnHeldAsync(request, cancellationToken);
        }
        catch (RunLeaseLostException)
        {
            LogCommandFenced(_logger, request.RunId, "a choice after the point of no return");
            var gate = new GateDecisionRequest(request.RunId, request.StepId, request.Who, request.Choice != AfterPointOfNoReturn.RollBack, request.Reason, request.CardVersion);
            return await _gates.RefuseAsync(gate, DecisionRefusal.Busy, $"Run {request.RunId} was taken over by another DrBot replica meanwhile; click again in a moment.", null, cancellationToken);
        }
    }

    private async Task<DecisionResult> DecideAfterPointOfNoReturnHeldAsync(PointOfNoReturnRequest request, CancellationToken cancellationToken)
    {
        using var held = await _leases.LockAsync(request.RunId, cancellationToken);
        await using var lease = await _leases.HoldAsync(request.RunId, null, cancellationToken);
        var gate = new GateDecisionRequest(request.RunId, request.StepId, request.Who, request.Choice != AfterPointOfNoReturn.RollBack, request.Reason, request.CardVersion);
        if (!lease.Held)
            return await _gates.RefuseAsync(gate, DecisionRefusal.Busy, $"Run {request.RunId} is busy on another DrBot replica; click again in a moment.", null, cancellationToken);
        var run = await _store.GetRunAsync(request.RunId, cancellationToken);
        var definition = run is null ? null : _catalog.Find(run.Runbook);
        var step = definition?.Step(request.StepId);
        if (run is null || definition is null || step is null || !PointOfNoReturn.IsGate(run, step.Id))
            return await _gates.RefuseAsync(gate, DecisionRefusal.NoPendingGate,
                run is null ? $"There is no run '{request.RunId}'." : $"Run {run.Id} is not stopped past the point of no return at '{request.StepId}'. {GateDecider.CurrentState(run)}", null, cancellationToken);
        var person = _roster.ByName(request.Who.PersonName);
        var role = RunMachine.GateRole(step) ?? Roles.Lead;
        if (person is null || !person.HasRole(role))
            return await _gates.RefuseAsync(gate, DecisionRefusal.WrongRole, $"{request.Who.DisplayName} may not decide here: it needs role {role}.", null, cancellationToken);
        if (string.Equals(person.Name, run.StartedBy, StringComparison.OrdinalIgnoreCase))
            return await _gates.RefuseAsync(gate, DecisionRefusal.SelfApproval, $"Four-eyes: {person.DisplayName} started this run; another {role} must decide.", null, cancellationToken);
        if (request.CardVersion is { } version && version < run.Version)
            return await _gates.RefuseAsync(gate, DecisionRefusal.Stale, $"This card is out of date (version {version}, the run is at {run.Version}). {GateDecider.CurrentState(run)}", null, cancellationToken);

        var record = RunSteps.RecordOf(run, step);
        var key = PointOfNoReturn.DecisionKey(step.Id, record.Attempts);
        if (await _store.GetDecisionAsync(run.Id, key, cancellationToken) is { } existing)
            return await _gates.RefuseAsync(gate, DecisionRefusal.AlreadyDecided, GateDecider.AlreadyDecided(existing, run), existing, cancellationToken);
        var now = _writer.Now;
        var reason = PointOfNoReturn.Word(request.Choice) + (string.IsNullOrWhiteSpace(request.Reason) ? "" : $": {request.Reason}");
        if (request.Choice == AfterPointOfNoReturn.RollBack)
        {
            var askKey = PointOfNoReturn.RollbackRequestKey(step.Id, record.Attempts);
            var asked = await _store.GetDecisionAsync(run.Id, askKey, cancellationToken);
            if (asked is null)
            {
                var ask = new GateDecision(run.Id, askKey, false, person.Name, person.DisplayName, request.Who.Channel, now, reason);
                if (await _store.TryRecordDecisionAsync(ask, cancellationToken))
                {
                    var text = $"{person.DisplayName} asks to roll back anyway past the point of no return; a second {role} must confirm with Roll back anyway.";
                    await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateOpened, step.Id, text));
                    await _writer.AuditAsync(person.Name, "rollback-anyway-asked", $"{run.Id}/{step.Id}", text, cancellationToken);
                    return DecisionResult.Ok(ask, text);
                }
                asked = await _store.GetDecisionAsync(run.Id, askKey, cancellationToken);
            }
            if (asked is not null && string.Equals(asked.DecidedBy, person.Name, StringComparison.OrdinalIgnoreCase))
                return await _gates.RefuseAsync(gate, DecisionRefusal.SelfApproval, $"{person.DisplayName} already asked to roll back; a second {role} must confirm.", asked, cancellationToken);
            reason += $" (asked by {asked?.DisplayName}, confirmed by {person.DisplayName})";
        }
        var decision = new GateDecision(run.Id, key, request.Choice != AfterPointOfNoReturn.RollBack, person.Name, person.DisplayName, request.Who.Channel, now, reason);
        if (!await _store.TryRecordDecisionAsync(decision, cancellationToken))
        {
            var winner = await _store.GetDecisionAsync(run.Id, key, cancellationToken);
            return await _gates.RefuseAsync(gate, DecisionRefusal.AlreadyDecided, winner is null ? "Someone decided first." : GateDecider.AlreadyDecided(winner, run), winner, cancellationToken);
        }
        await ApplyPointOfNoReturnDecisionAsync(run, definition, step, decision, cancellationToken);
        return DecisionResult.Ok(decision, $"{record.Title}: {reason} — decided by {person.DisplayName}.");
    }

    /// <summary>A choice stored but not yet applied (the process stopped in between) is applied on the next advance.</summary>
    private async Task<bool> ApplyStoredPointOfNoReturnDecisionAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, StepRecord record, CancellationToken cancellationToken)
    {
        var decision = await _store.GetDecisionAsync(run.Id, PointOfNoReturn.DecisionKey(step.Id, record.Attempts), cancellationToken);
        if (decision is null)
            return false;
        await ApplyPointOfNoReturnDecisionAsync(run, definition, step, decision, cancellationToken);
        return !run.IsFinished;
    }

    private async Task ApplyPointOfNoReturnDecisionAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, GateDecision decision, CancellationToken cancellationToken)
    {
        var record = RunSteps.RecordOf(run, step);
        var machine = new RunMachine(definition, run);
        var choice = PointOfNoReturn.ChoiceOf(decision);
        var detail = $"{decision.Reason} — {decision.DisplayName} ({decision.Channel}) at {decision.DecidedAt:HH:mm}";
        run.Facts.Remove(PointOfNoReturn.GateFact);
        _writer.Journal(run, step.Id, Math.Max(1, record.Attempts), JournalPhase.GateDecided, PointOfNoReturn.Word(choice), detail);
        await _writer.AuditAsync(decision.DecidedBy, $"after-point-of-no-return-{choice.ToString().ToLowerInvariant()}", $"{run.Id}/{step.Id}", detail, cancellationToken);
        switch (choice)
        {
            case AfterPointOfNoReturn.Retry:
                record.Status = StepStatus.Pending;
                record.Detail = $"retrying: {detail}";
                break;
            case AfterPointOfNoReturn.Skip:
                record.Status = StepStatus.Skipped;
                record.EndedAt = decision.DecidedAt;
                record.Detail = $"skipped after failing: {detail}";
                machine.CompleteStep();
                break;
            default:
                record.Status = StepStatus.Failed;
                record.EndedAt = decision.DecidedAt;
                record.Detail = $"rolling back anyway: {detail}";
                run.OutcomeReason = $"{record.Title} failed past the point of no return; {detail}";
                machine.BeginRollback();
                break;
        }
        await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateDecided, step.Id, detail));
    }
}
