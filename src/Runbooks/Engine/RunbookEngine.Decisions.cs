using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>
    /// Applies an Approve/Reject click, or refuses it with a reason (audited). The store's unique
    /// decision per gate decides who was first. An approval moves the run past the gate; the caller
    /// then calls <see cref="AdvanceAsync"/>. A rejection ends the run rejected.
    /// </summary>
    public async Task<DecisionResult> DecideAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        using var held = await LockRunAsync(request.RunId, cancellationToken);
        // Several replicas: the decision is recorded and applied by the lease holder only. While waiting,
        // a decision recorded by another replica ends the wait: this click is then answered "already decided".
        GateDecision? decidedElsewhere = null;
        await using var lease = await HoldLeaseAsync(request.RunId, async () =>
            (decidedElsewhere = await _store.GetDecisionAsync(request.RunId, request.StepId, cancellationToken)) is not null, cancellationToken);
        if (!lease.Held)
        {
            var current = await _store.GetRunAsync(request.RunId, cancellationToken);
            if (current is null)
            {
                return await RefuseAsync(request, DecisionRefusal.RunNotFound, $"There is no run '{request.RunId}'.", null, cancellationToken);
            }
            return decidedElsewhere is not null
                ? await RefuseAsync(request, DecisionRefusal.AlreadyDecided, AlreadyDecided(decidedElsewhere, current), decidedElsewhere, cancellationToken)
                : await RefuseAsync(request, DecisionRefusal.Busy, $"Run {current.Id} is busy on another DrBot replica; click again in a moment.", null, cancellationToken);
        }
        return await DecideLeasedAsync(request, cancellationToken);
    }

    private async Task<DecisionResult> DecideLeasedAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        var run = await _store.GetRunAsync(request.RunId, cancellationToken);
        if (run is null)
        {
            return await RefuseAsync(request, DecisionRefusal.RunNotFound, $"There is no run '{request.RunId}'.", null, cancellationToken);
        }
        var person = _roster.ByName(request.Who.PersonName);
        if (person is null)
        {
            return await RefuseAsync(request, DecisionRefusal.UnknownPerson,
                $"{request.Who} is not on the roster: only roster members with the gate's role may decide.", null, cancellationToken);
        }
        var definition = _catalog.Find(run.Runbook);
        var step = definition?.Step(request.StepId);
        var record = run.Step(request.StepId);
        if (definition is null || step is null || record is null)
        {
            return await RefuseAsync(request, DecisionRefusal.NoPendingGate, $"Run {run.Id} has no step '{request.StepId}'.", null, cancellationToken);
        }
        if (PointOfNoReturn.IsGate(run, step.Id))
        {
            return await RefuseAsync(request, DecisionRefusal.NoPendingGate,
                $"'{record.Title}' failed past the point of no return: choose Retry step, Skip or Roll back anyway on the card (or type retry, skip or rollback).", null, cancellationToken);
        }
        var existing = await _store.GetDecisionAsync(run.Id, step.Id, cancellationToken);
        if (existing is not null)
        {
            return await RefuseAsync(request, DecisionRefusal.AlreadyDecided, AlreadyDecided(existing, run), existing, cancellationToken);
        }
        if (record.Status == StepStatus.Expired
            || (record.Status == StepStatus.AwaitingApproval && run.GateExpiresAt <= _time.GetUtcNow()))
        {
            if (!run.IsFinished)
            {
                await ExpireGateAsync(run, definition, step, cancellationToken);
            }
            return await RefuseAsync(request, DecisionRefusal.Expired,
                $"'{record.Title}' expired at {record.EndedAt:HH:mm} without a decision; the run ended gate expired. Start a new run to ask again.", null, cancellationToken);
        }
        if (run.IsFinished || record.Status != StepStatus.AwaitingApproval)
        {
            var where = run.IsFinished ? $"the run ended {run.Outcome}" : $"the step is {record.Status}";
            return await RefuseAsync(request, DecisionRefusal.NoPendingGate, $"'{record.Title}' is not waiting for a decision: {where}. {CurrentState(run)}", null, cancellationToken);
        }
        if (request.CardVersion is { } version && version < run.Version)
        {
            return await RefuseAsync(request, DecisionRefusal.Stale,
                $"This card is out of date (version {version}, the run is at {run.Version}). {CurrentState(run)}", null, cancellationToken);
        }
        if (GateRole(step) is { } role && !person.HasRole(role))
        {
            var has = person.Roles.Count == 0 ? "no role" : $"roles {string.Join(", ", person.Roles)}";
            return await RefuseAsync(request, DecisionRefusal.WrongRole,
                $"{person.DisplayName} may not decide '{record.Title}': it needs role {role}, and {person.DisplayName} has {has}.", null, cancellationToken);
        }
        if (string.Equals(person.Name, run.StartedBy, StringComparison.OrdinalIgnoreCase) && !step.AllowSelfApproval && step.Kind != StepKind.Manual)
        {
            return await RefuseAsync(request, DecisionRefusal.SelfApproval,
                $"Four-eyes: {person.DisplayName} started this run and may not decide its gates; another {GateRole(step)} must.", null, cancellationToken);
        }

        var decision = new GateDecision(run.Id, step.Id, request.Approve, person.Name, person.DisplayName, request.Who.Channel, _time.GetUtcNow(), request.Reason);
        if (!await _store.TryRecordDecisionAsync(decision, cancellationToken))
        {
            var winner = await _store.GetDecisionAsync(run.Id, step.Id, cancellationToken);
            return await RefuseAsync(request, DecisionRefusal.AlreadyDecided, winner is null ? "Someone decided first." : AlreadyDecided(winner, run), winner, cancellationToken);
        }
        await ApplyDecisionAsync(run, definition, step, new RunMachine(definition, run), decision, cancellationToken);
        var verb = decision.Approved ? "approved" : "rejected";
        return DecisionResult.Ok(decision, $"{record.Title}: {verb} by {person.DisplayName}." + (decision.Approved ? "" : $" {CurrentState(run)}"));
    }

    /// <summary>
    /// Asks again for a decision on the pending gate before it expires: the expiry restarts from now and
    /// the gate is announced again (a new card version; older cards become stale). Null when no gate is pending.
    /// </summary>
    public async Task<RunRecord?> RerequestGateAsync(string runId, Actor who, CancellationToken cancellationToken)
    {
        using var held = await LockRunAsync(runId, cancellationToken);
        await using var lease = await HoldLeaseAsync(runId, null, cancellationToken);
        var run = lease.Held ? await _store.GetRunAsync(runId, cancellationToken) : null;
        var record = run?.Step(run.State);
        if (run is null || run.IsFinished || record?.Status != StepStatus.AwaitingApproval || run.GateExpiresAt <= _time.GetUtcNow())
        {
            return null;
        }
        if (_roster.ByName(who.PersonName) is null && who.Channel != "system")
        {
            await AuditAsync(who.ToString(), "gate-rerequest-refused", $"{run.Id}/{record.StepId}", "not on the roster", cancellationToken);
            return null;
        }
        run.GateExpiresAt = _time.GetUtcNow() + _options.Approvals.Expiry;
        var detail = $"{record.Detail}; asked again by {who}, expires {run.GateExpiresAt:HH:mm}";
        await SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateOpened, record.StepId, detail));
        await AuditAsync(who.ToString(), "gate-rerequested", $"{run.Id}/{record.StepId}", detail, cancellationToken);
        return run;
    }

    /// <summary>Moves the machine with a recorded decision: approve past the gate, reject to the end (or a rollback).</summary>
    private async Task ApplyDecisionAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, RunMachine machine, GateDecision decision, CancellationToken cancellationToken)
    {
        var record = StepRecordOf(run, step);
        var verb = decision.Approved ? "approved" : "rejected";
        var detail = $"{verb} by {decision.DisplayName} ({decision.Channel}) at {decision.DecidedAt:HH:mm}" + (string.IsNullOrWhiteSpace(decision.Reason) ? "" : $": {decision.Reason}");
        var isGate = step.Kind is StepKind.Gate or StepKind.Manual;
        record.EndedAt = decision.DecidedAt;
        run.GateExpiresAt = null;
        await JournalAsync(run, step.Id, Math.Max(1, record.Attempts), JournalPhase.GateDecided, verb, detail, cancellationToken);
        await AuditAsync(decision.DecidedBy, decision.Approved ? "gate-approved" : "gate-rejected", $"{run.Id}/{step.Id}", detail, cancellationToken);
        var change = new RunChange(RunChangeKind.GateDecided, step.Id, detail);

        if (decision.Approved)
        {
            record.Status = isGate ? StepStatus.Approved : StepStatus.Succeeded;
            record.Detail = isGate ? detail : $"{record.Detail}; continued anyway, {detail}";
            machine.Fire(isGate ? RunMachine.Approve : RunMachine.Override);
            await SaveAsync(run, cancellationToken, change);
            return;
        }
        record.Status = isGate ? StepStatus.Rejected : StepStatus.Failed;
        record.Detail = detail;
        if (!isGate && (ToCompensate(run, definition).Any() || ChangedProduction(run, definition)))
        {
            machine.Fire(RunMachine.Rollback);
            run.OutcomeReason = $"{record.Title} failed and was {detail}";
            await SaveAsync(run, cancellationToken, change);
            return;
        }
        machine.Fire(RunMachine.Reject);
        Finish(run, RunOutcome.Rejected, $"{record.Title}: {detail}");
        await SaveAsync(run, cancellationToken, change, new RunChange(RunChangeKind.Finished, step.Id, run.OutcomeReason!));
    }

    private async Task<DecisionResult> RefuseAsync(GateDecisionRequest request, DecisionRefusal refusal, string message, GateDecision? existing, CancellationToken cancellationToken)
    {
        var verb = request.Approve ? "approve" : "reject";
        await AuditAsync(request.Who.ToString(), "decision-refused", $"{request.RunId}/{request.StepId}", $"{verb} refused ({refusal}): {message}", cancellationToken);
        return DecisionResult.Refused(refusal, message, existing);
    }

    /// <summary>The role that decides a gate (or a failed step that asks). Manual steps without a role: anyone on the roster.</summary>
    private static string? GateRole(StepDefinition step) =>
        step.Role ?? (step.Kind == StepKind.Manual ? null : Roles.Lead);

    private static string AlreadyDecided(GateDecision decision, RunRecord run) =>
        $"Already {(decision.Approved ? "approved" : "rejected")} by {decision.DecidedBy} at {decision.DecidedAt:HH:mm}. {CurrentState(run)}";

    private static string CurrentState(RunRecord run) =>
        run.IsFinished
            ? $"Run {run.Id} ended {run.Outcome}."
            : $"Run {run.Id} is at '{run.Step(run.State)?.Title ?? run.State}'.";
}
