using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// The rules that decide whether an approval counts (issue 18): the guards' refusals in words, the facts
/// measured again at the click (a change re-asks the gate, saying what changed), and N of M approvers.
/// </summary>
internal sealed partial class GateDecider
{
    private async Task<DecisionResult?> RefusedByGuardAsync(GateDecisionRequest request, RunRecord run, RunbookDefinition definition, StepDefinition step,
        StepRecord record, Person person, RunMachine machine, bool isGate, Decider decider, CancellationToken cancellationToken)
    {
        var role = RunMachine.GateRole(step);
        switch (machine.Refusals(request.Approve, isGate, decider).FirstOrDefault())
        {
            case DecisionRefusal.Stale:
                return await RefuseAsync(request, DecisionRefusal.Stale,
                    $"This card is out of date (version {request.CardVersion}, the run is at {run.Version}). {CurrentState(run)}", null, cancellationToken);
            case DecisionRefusal.WrongRole:
                var has = person.Roles.Count == 0 ? "no role" : $"roles {string.Join(", ", person.Roles)}";
                return await RefuseAsync(request, DecisionRefusal.WrongRole,
                    $"{person.DisplayName} may not decide '{record.Title}': it needs role {role}, and {person.DisplayName} has {has}.", null, cancellationToken);
            case DecisionRefusal.SelfApproval:
                return await RefuseAsync(request, DecisionRefusal.SelfApproval,
                    $"Four-eyes: {person.DisplayName} started this run and may not decide its gates; another {role} must.", null, cancellationToken);
            case DecisionRefusal.AlreadyApproved:
                return await RefuseAsync(request, DecisionRefusal.AlreadyApproved,
                    $"Four-eyes: {person.DisplayName} has already approved '{record.Title}' ({Progress(record, step)}); the same person counts once, another {role} must approve.", null, cancellationToken);
            case DecisionRefusal.FactsChanged:
                // The card was built from other facts (or another plan): everyone is shown the current ones again.
                var now = GateFacts.Of(run, definition, step.Id);
                var why = $"The facts on your card are not the current ones (plan version now {now.PlanVersion}); nothing was approved. Current facts: {string.Join("; ", now.Facts.Select(f => $"{f.Key} {f.Shown}"))}.";
                await ReaskAsync(run, step, record, why, request.Who, cancellationToken);
                return await RefuseAsync(request, DecisionRefusal.FactsChanged, why + " The gate is asked again on a new card.", null, cancellationToken);
            case DecisionRefusal.ConfirmationMismatch:
                var typed = string.IsNullOrWhiteSpace(request.Confirmation) ? "nothing" : $"'{request.Confirmation.Trim()}'";
                return await RefuseAsync(request, DecisionRefusal.ConfirmationMismatch,
                    $"'{record.Title}' cannot be undone: type the target region's name, {run.Region}, in the confirmation box to approve (you typed {typed}). Nothing was approved.", null, cancellationToken);
            case DecisionRefusal.NoPendingGate:
                return await RefuseAsync(request, DecisionRefusal.NoPendingGate, $"'{record.Title}' is not waiting for a decision. {CurrentState(run)}", null, cancellationToken);
            default:
                return null;
        }
    }

    /// <summary>
    /// Measures the gate's facts again before the approval counts. When something that matters changed (a
    /// pre-check flipped, lag crossed the threshold, fencing changed) the new facts are stored, the approvals
    /// given so far are dropped, the gate is asked again, and this approval is refused saying what changed.
    /// </summary>
    private async Task<DecisionResult?> RemeasureAsync(GateDecisionRequest request, RunRecord run, RunbookDefinition definition, StepDefinition step,
        StepRecord record, CancellationToken cancellationToken)
    {
        var measured = await probe.MeasureAsync(run, definition, step, cancellationToken);
        if (!measured.Changed)
        {
            return null;
        }
        measured.ApplyTo(run);
        var why = $"The facts changed since the card was shown: {string.Join("; ", measured.After.ChangesSince(measured.Before))}. Nothing was approved.";
        await ReaskAsync(run, step, record, why, request.Who, cancellationToken);
        return await RefuseAsync(request, DecisionRefusal.FactsChanged, why + " The gate is asked again with the new facts; decide on the new card.", null, cancellationToken);
    }

    /// <summary>Opens the gate again (new card version, new expiry, approvals so far dropped), saying why.</summary>
    private async Task ReaskAsync(RunRecord run, StepDefinition step, StepRecord record, string why, Actor who, CancellationToken cancellationToken)
    {
        record.Approvals.Clear();
        record.Attempts++;
        record.Detail = $"asked again: {why}";
        run.GateExpiresAt = writer.Now + options.Approvals.Expiry;
        writer.Journal(run, step.Id, record.Attempts, JournalPhase.GateOpened, "asked again", why);
        await writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateOpened, step.Id, record.Detail));
        await writer.AuditAsync(who.ToString(), "gate-reasked", $"{run.Id}/{step.Id}", why, cancellationToken);
    }

    /// <summary>N of M, an approval before the last: recorded once per person and ask, shown on the card; the gate keeps waiting.</summary>
    private async Task<DecisionResult> CountApprovalAsync(GateDecisionRequest request, RunRecord run, StepDefinition step, StepRecord record, Person person,
        RunMachine machine, Decider decider, CancellationToken cancellationToken)
    {
        var counted = new GateDecision(run.Id, ApprovalKeys.Of(step.Id, Math.Max(1, record.Attempts), person.Name), true, person.Name, person.DisplayName,
            request.Who.Channel, writer.Now, request.Reason);
        if (!await store.TryRecordDecisionAsync(counted, cancellationToken))
        {
            return await RefuseAsync(request, DecisionRefusal.AlreadyApproved,
                $"Four-eyes: {person.DisplayName} has already approved '{record.Title}'; the same person counts once.", null, cancellationToken);
        }
        machine.CountApproval(decider); // its guards read the approvals so far, so it fires before this one is added
        record.Approvals.Add(new GateApproval(person.Name, person.DisplayName, request.Who.Channel, counted.DecidedAt, request.Reason));
        var detail = $"approved by {person.DisplayName} ({request.Who.Channel}) at {counted.DecidedAt:HH:mm}: {Progress(record, step)}";
        record.Detail = $"waiting for approval by role {RunMachine.GateRole(step)}: {Progress(record, step)}";
        // Not journaled: the gate's GateDecided entry of this ask is the final decision's; each approval is in the audit and the decisions.
        await writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.GateDecided, step.Id, detail));
        await writer.AuditAsync(person.Name, "gate-approval-counted", $"{run.Id}/{step.Id}", detail, cancellationToken);
        var left = step.Approvals - record.Approvals.Count;
        return DecisionResult.Ok(counted, $"{record.Title}: approved by {person.DisplayName}, {Progress(record, step)}; {left} more {RunMachine.GateRole(step)} approval{(left == 1 ? "" : "s")} needed.");
    }

    /// <summary>
    /// N of M: approvals recorded in the store but missing on the run (the process stopped between the two
    /// writes) are taken onto the run, so an approval once recorded always counts and never counts twice.
    /// </summary>
    private async Task ReconcileApprovalsAsync(RunRecord run, StepDefinition step, StepRecord record, CancellationToken cancellationToken)
    {
        if (step.Kind != StepKind.Gate || step.Approvals <= 1)
        {
            return;
        }
        var ask = ApprovalKeys.Of(step.Id, Math.Max(1, record.Attempts), "");
        foreach (var stored in (await store.GetDecisionsAsync(run.Id, cancellationToken)).Where(d => d.StepId.StartsWith(ask, StringComparison.Ordinal)))
        {
            if (!record.Approvals.Any(a => string.Equals(a.Name, stored.DecidedBy, StringComparison.OrdinalIgnoreCase)))
            {
                record.Approvals.Add(new GateApproval(stored.DecidedBy, stored.DisplayName, stored.Channel, stored.DecidedAt, stored.Reason));
            }
        }
    }

    /// <summary>"1 of 2 approvals (Bob)".</summary>
    public static string Progress(StepRecord record, StepDefinition step) =>
        $"{record.Approvals.Count} of {step.Approvals} approvals" + (record.Approvals.Count == 0 ? "" : $" ({string.Join(", ", record.Approvals.Select(a => a.DisplayName))})");
}
