using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// Decides the gates of runs: applies an Approve/Reject (button or typed) or refuses it with a reason
/// a person can read (audited), asks again before a gate expires, and ends a run whose gate expired.
/// The store's unique decision per gate decides who was first; the run machine's guards decide
/// whether this person may decide at all (a current card, the gate's role, four-eyes).
/// </summary>
internal sealed partial class GateDecider(IRunStore store, RunWriter writer, RunLeases leases, RunbookCatalog catalog, Roster roster, DrBotOptions options, GateFactsProbe probe)
{
    /// <summary>
    /// Applies an Approve/Reject click, or refuses it with a reason (audited). The store's unique
    /// decision per gate decides who was first. An approval moves the run past the gate; the caller
    /// then calls <see cref="AdvanceAsync"/>. A rejection ends the run rejected.
    /// </summary>
    public async Task<DecisionResult> DecideAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        using var held = await leases.LockAsync(request.RunId, cancellationToken);
        // Several replicas: the decision is recorded and applied by the lease holder only. While waiting,
        // a decision recorded by another replica ends the wait: this click is then answered "already decided".
        GateDecision? decidedElsewhere = null;
        await using var lease = await leases.HoldAsync(request.RunId, async () =>
            (decidedElsewhere = await store.GetDecisionAsync(request.RunId, request.StepId, cancellationToken)) is not null, cancellationToken);
        if (!lease.Held)
        {
            var current = await store.GetRunAsync(request.RunId, cancellationToken);
            if (current is null)
            {
                return await RefuseAsync(request, DecisionRefusal.RunNotFound, $"There is no run '{request.RunId}'.", null, cancellationToken);
            }
            return decidedElsewhere is not null
                ? await RefuseAsync(request, DecisionRefusal.AlreadyDecided, AlreadyDecided(decidedElsewhere, current), decidedElsewhere, cancellationToken)
                : await RefuseAsync(request, DecisionRefusal.Busy, $"Run {current.Id} is busy on another DrBot replica; click again in a moment.", null, cancellationToken);
        }
        try
        {
            return await DecideLeasedAsync(request, cancellationToken);
        }
        catch (RunLeaseLostException)
        {
            // The lease moved on between taking it and saving: a recorded decision is applied by the holder.
            var stored = await store.GetDecisionAsync(request.RunId, request.StepId, cancellationToken);
            return await RefuseAsync(request, DecisionRefusal.Busy, stored is null
                ? $"Run {request.RunId} was taken over by another DrBot replica meanwhile; click again in a moment."
                : $"Run {request.RunId} was taken over by another DrBot replica meanwhile; the decision by {stored.DisplayName} is recorded and that replica applies it.", stored, cancellationToken);
        }
    }

    private async Task<DecisionResult> DecideLeasedAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        var run = await store.GetRunAsync(request.RunId, cancellationToken);
        if (run is null)
        {
            return await RefuseAsync(request, DecisionRefusal.RunNotFound, $"There is no run '{request.RunId}'.", null, cancellationToken);
        }
        var person = roster.ByName(request.Who.PersonName);
        if (person is null)
        {
            return await RefuseAsync(request, DecisionRefusal.UnknownPerson,
                $"{request.Who} is not on the roster: only roster members with the gate's role may decide.", null, cancellationToken);
        }
        var definition = catalog.Find(run.Runbook);
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
        var existing = await store.GetDecisionAsync(run.Id, step.Id, cancellationToken);
        if (existing is not null)
        {
            return await RefuseAsync(request, DecisionRefusal.AlreadyDecided, AlreadyDecided(existing, run), existing, cancellationToken);
        }
        if (record.Status == StepStatus.Expired
            || (record.Status == StepStatus.AwaitingApproval && run.GateExpiresAt <= writer.Now))
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
        // The machine's guards decide: a current card, the gate's role, four-eyes, and for an approval the facts the
        // card showed, an approver not counted yet (N of M), the target typed on a destructive gate.
        var machine = new RunMachine(definition, run);
        var isGate = step.Kind is StepKind.Gate or StepKind.Manual;
        var decider = Decider.Of(person, request);
        await ReconcileApprovalsAsync(run, step, record, cancellationToken);
        if (await RefusedByGuardAsync(request, run, definition, step, record, person, machine, isGate, decider, cancellationToken) is { } refused)
        {
            return refused;
        }
        if (request.Approve && step.Kind == StepKind.Gate && await RemeasureAsync(request, run, definition, step, record, cancellationToken) is { } changed)
        {
            return changed;
        }
        if (request.Approve && step.Kind == StepKind.Gate && step.Approvals > 1 && !machine.IsLastApproval(decider))
        {
            return await CountApprovalAsync(request, run, step, record, person, machine, decider, cancellationToken);
        }

        var decision = new GateDecision(run.Id, step.Id, request.Approve, person.Name, person.DisplayName, request.Who.Channel, writer.Now, request.Reason);
        if (!await store.TryRecordDecisionAsync(decision, cancellationToken))
        {
            var winner = await store.GetDecisionAsync(run.Id, step.Id, cancellationToken);
            return await RefuseAsync(request, DecisionRefusal.AlreadyDecided, winner is null ? "Someone decided first." : AlreadyDecided(winner, run), winner, cancellationToken);
        }
        await ApplyDecisionAsync(run, definition, step, machine, decision, cancellationToken);
        var verb = decision.Approved ? (step.Kind == StepKind.Manual ? "done" : "approved") : "rejected";
        return DecisionResult.Ok(decision, $"{record.Title}: {verb} by {person.DisplayName}." + (decision.Approved ? "" : $" {CurrentState(run)}"));
    }

    /// <summary>
    /// Asks again for a decision on the pending gate before it expires: the expiry restarts from now and
    /// the gate is announced again (a new card version; older cards become stale). Null when no gate is pending.
    /// </summary>
    public async Task<RunRecord?> RerequestGateAsync(string runId, Actor who, CancellationToken cancellationToken)
    {
        using var held = await leases.LockAsync(runId, cancellationToken);
        await using var lease = await leases.HoldAsync(runId, null, cancellationToken);
        var run = lease.Held ? await store.GetRunAsync(runId, cancellationToken) : null;
        var record = run?.Step(run.State);
        if (run is null || run.IsFinished || record?.Status != StepStatus.AwaitingApproval || run.GateExpiresAt <= writer.Now)
        {
            return null;
        }
        if (roster.ByName(who.PersonName) is null && who.Channel != "system")
        {
            await writer.AuditAsync(who.ToString(), "gate-rerequest-refused", $"{run.Id}/{record.StepId}", "not on the roster", cancellationToken);
            return null;
        }
        run.GateExpiresAt = writer.Now + (catalog.Find(run.Runbook)?.Step(record.StepId)?.Expiry ?? options.Approvals.Expiry);
        var detail = $"{record.Detail}; asked again by {who}, expires {run.GateExpiresAt:HH:mm}";
        try
        {
            await writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateOpened, record.StepId, detail));
        }
        catch (RunLeaseLostException)
        {
            return null; // another replica took the run over meanwhile; it asks again if needed
        }
        await writer.AuditAsync(who.ToString(), "gate-rerequested", $"{run.Id}/{record.StepId}", detail, cancellationToken);
        return run;
    }

    /// <summary>Moves the machine with a recorded decision: approve past the gate, reject to the end (or a rollback).</summary>
    public async Task ApplyDecisionAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, RunMachine machine, GateDecision decision, CancellationToken cancellationToken)
    {
        var record = RunSteps.RecordOf(run, step);
        // A manual task is not approved but done, with the doer's note.
        var manual = step.Kind == StepKind.Manual;
        var verb = decision.Approved ? (manual ? "done" : "approved") : "rejected";
        var detail = $"{verb} by {decision.DisplayName} ({decision.Channel}) at {decision.DecidedAt:HH:mm}"
            + (decision.Approved && record.Approvals.Count > 0 ? $" after {string.Join(", ", record.Approvals.Select(a => a.DisplayName))} ({record.Approvals.Count + 1} of {step.Approvals})" : "")
            + (string.IsNullOrWhiteSpace(decision.Reason) ? "" : $": {decision.Reason}");
        var isGate = step.Kind is StepKind.Gate or StepKind.Manual;
        record.EndedAt = decision.DecidedAt;
        run.GateExpiresAt = null;
        writer.Journal(run, step.Id, Math.Max(1, record.Attempts), JournalPhase.GateDecided, verb, detail);
        await writer.AuditAsync(decision.DecidedBy, decision.Approved ? (manual ? "manual-done" : "gate-approved") : "gate-rejected", $"{run.Id}/{step.Id}", detail, cancellationToken);
        var change = new RunChange(RunChangeKind.GateDecided, step.Id, detail);

        if (decision.Approved)
        {
            record.Status = isGate ? StepStatus.Approved : StepStatus.Succeeded;
            record.Detail = isGate ? detail : $"{record.Detail}; continued anyway, {detail}";
            machine.Approve(isGate, Decider.Stored(decision));
            await writer.SaveAsync(run, cancellationToken, change);
            return;
        }
        record.Status = isGate ? StepStatus.Rejected : StepStatus.Failed;
        record.Detail = detail;
        if (!isGate && (RunSteps.ToCompensate(run, definition).Any() || RunSteps.ChangedProduction(run, definition)))
        {
            machine.BeginRollback();
            run.OutcomeReason = $"{record.Title} failed and was {detail}";
            await writer.SaveAsync(run, cancellationToken, change);
            return;
        }
        machine.Reject(Decider.Stored(decision));
        writer.Finish(run, RunOutcome.Rejected, $"{record.Title}: {detail}");
        await writer.SaveAsync(run, cancellationToken, change, new RunChange(RunChangeKind.Finished, step.Id, run.OutcomeReason!));
    }

    public async Task<DecisionResult> RefuseAsync(GateDecisionRequest request, DecisionRefusal refusal, string message, GateDecision? existing, CancellationToken cancellationToken)
    {
        var verb = request.Approve ? "approve" : "reject";
        await writer.AuditAsync(request.Who.ToString(), "decision-refused", $"{request.RunId}/{request.StepId}", $"{verb} refused ({refusal}): {message}", cancellationToken);
        return DecisionResult.Refused(refusal, message, existing);
    }

    internal static string AlreadyDecided(GateDecision decision, RunRecord run) =>
        $"Already {(decision.Approved ? "approved" : "rejected")} by {decision.DecidedBy} at {decision.DecidedAt:HH:mm}. {CurrentState(run)}";

    internal static string CurrentState(RunRecord run) =>
        run.IsFinished
            ? $"Run {run.Id} ended {run.Outcome}."
            : $"Run {run.Id} is at '{run.Step(run.State)?.Title ?? run.State}'.";

    public async Task ExpireGateAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, CancellationToken cancellationToken)
    {
        var record = RunSteps.RecordOf(run, step);
        var role = RunMachine.GateRole(step) ?? "the roster";
        var waited = step.Expiry ?? options.Approvals.Expiry;
        var detail = step.Kind == StepKind.Manual
            ? $"'{record.Title}' was not marked done within {waited:hh\\:mm\\:ss}; escalate to {role}"
            : $"'{record.Title}' had no decision within {waited:hh\\:mm\\:ss}; escalate to {role}";
        record.Status = StepStatus.Expired;
        record.EndedAt = writer.Now;
        record.Detail = detail;
        writer.Journal(run, step.Id, Math.Max(1, record.Attempts), JournalPhase.GateDecided, "expired", detail);
        new RunMachine(definition, run).ExpireGate();
        writer.Finish(run, RunOutcome.GateExpired, detail);
        await writer.SaveAsync(run, cancellationToken,
            new RunChange(RunChangeKind.GateExpired, step.Id, detail),
            new RunChange(RunChangeKind.Finished, step.Id, detail));
        await writer.AuditAsync("drbot", "gate-expired", $"{run.Id}/{step.Id}", detail, cancellationToken);
    }
}
