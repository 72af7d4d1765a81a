using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;
using Stateless;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// The Stateless machine of one run, built from its definition. The state lives in
/// <see cref="RunRecord.State"/> (accessor/mutator constructor), so the machine itself holds nothing
/// that a restart could lose. States are the step ids plus <see cref="RunStates"/>. Its methods say
/// what happens to the run; the rules that decide a gate (the decider's role, four-eyes, a current
/// card) are guards of the decision triggers, so the exported diagram shows them.
/// </summary>
internal sealed class RunMachine
{
    private const string StartTrigger = "start";
    private const string CompleteTrigger = "complete";
    private const string FailTrigger = "fail";
    private const string RollbackTrigger = "rollback";
    private const string ApproveTrigger = "approve";
    private const string RejectTrigger = "reject";
    private const string SkipTrigger = "skip";
    private const string ExpireTrigger = "expire";
    private const string OverrideTrigger = "override";
    private const string CancelTrigger = "cancel";
    private const string RolledBackTrigger = "rolled-back";
    private const string RollbackFailedTrigger = "rollback-failed";
    private const string CountApprovalTrigger = "count-approval";
    private const string ChildRejectedTrigger = "child-rejected";

    private const string CurrentCardGuard = "card shows the current version";
    private const string FourEyesGuard = "decider did not start the run";
    private const string NoFreezeGuard = "no freeze is active";

    private const string CurrentFactsGuard = "card shows the current facts";
    private const string NotCountedGuard = "decider has not approved yet";
    private const string TypedTargetGuard = "decider typed the target region";

    private static readonly DecisionRefusal[] RefusalOrder =
    [
        DecisionRefusal.Stale, DecisionRefusal.WrongRole, DecisionRefusal.SelfApproval, DecisionRefusal.AlreadyApproved,
        DecisionRefusal.FactsChanged, DecisionRefusal.ConfirmationMismatch, DecisionRefusal.NoPendingGate,
    ];

    private readonly StateMachine<string, string> _machine;
    private readonly StateMachine<string, string>.TriggerWithParameters<Decider> _approve;
    private readonly StateMachine<string, string>.TriggerWithParameters<Decider> _reject;
    private readonly StateMachine<string, string>.TriggerWithParameters<Decider> _override;
    private readonly StateMachine<string, string>.TriggerWithParameters<Decider> _countApproval;
    /// <summary>Guard descriptions that say whether an allowed approval is the last one needed, not whether it is allowed.</summary>
    private readonly HashSet<string> _countGuards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DecisionRefusal> _refusalByGuard = new(StringComparer.Ordinal);

    /// <param name="frozen">A freeze is active (<see cref="Freeze.RunFreeze"/>): the run does not start.</param>
    public RunMachine(RunbookDefinition definition, RunRecord run, bool frozen = false)
    {
        _machine = new StateMachine<string, string>(() => run.State, state => run.State = state);
        _machine.OnUnhandledTrigger((state, trigger, unmet) =>
            throw new InvalidOperationException($"Run {run.Id} is at '{state}', where '{trigger}' does not apply"
                + (unmet is { Count: > 0 } ? $" ({string.Join(", ", unmet)})." : ".")));
        _approve = _machine.SetTriggerParameters<Decider>(ApproveTrigger);
        _reject = _machine.SetTriggerParameters<Decider>(RejectTrigger);
        _override = _machine.SetTriggerParameters<Decider>(OverrideTrigger);
        _countApproval = _machine.SetTriggerParameters<Decider>(CountApprovalTrigger);

        var steps = definition.Steps;
        _machine.Configure(RunStates.Created)
            .PermitIf(StartTrigger, steps.Count > 0 ? steps[0].Id : RunStates.Succeeded, () => !frozen, NoFreezeGuard)
            .Permit(CancelTrigger, RunStates.Cancelled);

        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var next = i + 1 < steps.Count ? steps[i + 1].Id : RunStates.Succeeded;
            var state = _machine.Configure(step.Id).Permit(CancelTrigger, RunStates.Cancelled);
            var guards = DecisionGuards(step, run);
            if (step.Kind is StepKind.Gate or StepKind.Manual)
            {
                var approveGuards = ApprovalGuards(step, run, definition, guards);
                state.PermitIf(_approve, next, approveGuards)
                    .PermitIf(_reject, RunStates.Rejected, guards)
                    .Permit(ExpireTrigger, RunStates.GateExpired);
                if (step.Approvals > 1)
                {
                    // N of M: an approval before the last one is counted and the gate keeps waiting.
                    state.PermitReentryIf(_countApproval, [.. approveGuards.Where(g => !_countGuards.Contains(g.Item2)),
                        Tuple.Create<Func<Decider, bool>, string>(_ => ApprovalsOf(run, step).Count + 1 < step.Approvals, $"fewer than {step.Approvals} approvals with this one")]);
                }
                if (StepCondition.TryParse(step.Condition, out var condition))
                {
                    state.PermitIf(SkipTrigger, next, () => !condition!.IsMet(run.Facts), $"{condition} does not hold");
                }
                continue;
            }
            state.Permit(CompleteTrigger, next).Permit(FailTrigger, RunStates.Failed).Permit(RollbackTrigger, RunStates.RollingBack);
            if (step.Kind == StepKind.Runbook)
            {
                // The child run's gates are this step's: a rejected or expired child gate ends the parent the same way.
                state.Permit(ChildRejectedTrigger, RunStates.Rejected).Permit(ExpireTrigger, RunStates.GateExpired);
            }
            if (step.OnFailure == FailurePolicy.AskGate)
            {
                state.PermitIf(_override, next, guards)
                    .PermitIf(_reject, RunStates.Rejected, guards)
                    .Permit(ExpireTrigger, RunStates.GateExpired);
            }
        }

        _machine.Configure(RunStates.RollingBack)
            .Permit(RolledBackTrigger, RunStates.RolledBack)
            .Permit(RollbackFailedTrigger, RunStates.Failed);
        foreach (var terminal in new[] { RunStates.Succeeded, RunStates.Failed, RunStates.Rejected, RunStates.GateExpired, RunStates.Cancelled, RunStates.RolledBack })
        {
            _machine.Configure(terminal);
        }
    }

    public string State => _machine.State;

    /// <summary>False while a freeze is active: the run waits before its first step.</summary>
    public bool CanStart => _machine.CanFire(StartTrigger);

    public void Start() => _machine.Fire(StartTrigger);

    public void CompleteStep() => _machine.Fire(CompleteTrigger);

    public void FailRun() => _machine.Fire(FailTrigger);

    public void BeginRollback() => _machine.Fire(RollbackTrigger);

    public void FinishRollback(bool complete) => _machine.Fire(complete ? RolledBackTrigger : RollbackFailedTrigger);

    public bool CanSkipGate => _machine.CanFire(SkipTrigger);

    public void SkipGate() => _machine.Fire(SkipTrigger);

    public void ExpireGate() => _machine.Fire(ExpireTrigger);

    public void Cancel() => _machine.Fire(CancelTrigger);

    /// <summary>A step of kind runbook whose child run was rejected at a gate.</summary>
    public void ChildRejected() => _machine.Fire(ChildRejectedTrigger);

    /// <summary>
    /// Why <paramref name="decider"/> may not approve (or reject) the waiting step, in the order a person
    /// is told: a stale card first, then the role, then four-eyes. Empty when the decision may be made.
    /// </summary>
    public IReadOnlyList<DecisionRefusal> Refusals(bool approve, bool isGate, Decider decider)
    {
        var trigger = approve ? (isGate ? _approve : _override) : _reject;
        if (_machine.CanFire(trigger, decider, out var unmet) || (approve && isGate && _machine.CanFire(_countApproval, decider)))
        {
            return [];
        }
        var refusals = unmet.Where(g => !_countGuards.Contains(g)).Select(g => _refusalByGuard.GetValueOrDefault(g, DecisionRefusal.NoPendingGate)).ToHashSet();
        if (refusals.Count == 0)
        {
            refusals.Add(DecisionRefusal.NoPendingGate);
        }
        return [.. RefusalOrder.Where(refusals.Contains)];
    }

    /// <summary>Approve a gate, or continue past a failed step that asked.</summary>
    public void Approve(bool isGate, Decider decider) => _machine.Fire(isGate ? _approve : _override, decider);

    public void Reject(Decider decider) => _machine.Fire(_reject, decider);

    /// <summary>N of M: whether <paramref name="decider"/>'s allowed approval is the last one needed (the gate opens).</summary>
    public bool IsLastApproval(Decider decider) => _machine.CanFire(_approve, decider);

    /// <summary>N of M: counts an approval before the last one; the gate keeps waiting.</summary>
    public void CountApproval(Decider decider) => _machine.Fire(_countApproval, decider);

    public Stateless.Reflection.StateMachineInfo GetInfo() => _machine.GetInfo();

    /// <summary>The role that decides a gate (or a failed step that asks). Manual steps without a role: anyone on the roster.</summary>
    public static string? GateRole(StepDefinition step) =>
        step.Role ?? (step.Kind == StepKind.Manual ? null : Roles.Lead);

    private Tuple<Func<Decider, bool>, string>[] DecisionGuards(StepDefinition step, RunRecord run)
    {
        var guards = new List<Tuple<Func<Decider, bool>, string>>
        {
            Guard(d => d.Recorded || d.CardVersion is not { } version || version >= run.Version, CurrentCardGuard, DecisionRefusal.Stale),
        };
        if (GateRole(step) is { } role)
        {
            guards.Add(Guard(d => d.Recorded || d.Roles.Contains(role, StringComparer.OrdinalIgnoreCase), $"decider has role {role}", DecisionRefusal.WrongRole));
        }
        if (!step.AllowSelfApproval && step.Kind != StepKind.Manual)
        {
            guards.Add(Guard(d => d.Recorded || !string.Equals(d.Name, run.StartedBy, StringComparison.OrdinalIgnoreCase), FourEyesGuard, DecisionRefusal.SelfApproval));
        }
        return [.. guards];
    }

    /// <summary>
    /// What an approval needs beyond the decision guards: the facts the card showed are the current ones, the
    /// person's approval is not counted yet, the target typed on a destructive gate, and (N of M) enough approvals.
    /// </summary>
    private Tuple<Func<Decider, bool>, string>[] ApprovalGuards(StepDefinition step, RunRecord run, RunbookDefinition definition, Tuple<Func<Decider, bool>, string>[] guards)
    {
        if (step.Kind != StepKind.Gate)
        {
            return guards;
        }
        var list = new List<Tuple<Func<Decider, bool>, string>>(guards)
        {
            Guard(d => d.Recorded || d.FactsDigest is null || d.FactsDigest == GateFacts.Of(run, definition, step.Id).Digest, CurrentFactsGuard, DecisionRefusal.FactsChanged),
        };
        if (step.Approvals > 1)
        {
            list.Add(Guard(d => d.Recorded || !ApprovalsOf(run, step).Any(a => string.Equals(a.Name, d.Name, StringComparison.OrdinalIgnoreCase)),
                NotCountedGuard, DecisionRefusal.AlreadyApproved));
        }
        if (step.Destructive)
        {
            list.Add(Guard(d => d.Recorded || string.Equals(d.Confirmation?.Trim(), run.Region, StringComparison.OrdinalIgnoreCase), TypedTargetGuard, DecisionRefusal.ConfirmationMismatch));
        }
        if (step.Approvals > 1)
        {
            var enough = $"{step.Approvals} approvals with this one";
            _countGuards.Add(enough);
            list.Add(Tuple.Create<Func<Decider, bool>, string>(d => d.Recorded || ApprovalsOf(run, step).Count + 1 >= step.Approvals, enough));
        }
        return [.. list];
    }

    private static IReadOnlyList<GateApproval> ApprovalsOf(RunRecord run, StepDefinition step) => run.Step(step.Id)?.Approvals ?? [];

    private Tuple<Func<Decider, bool>, string> Guard(Func<Decider, bool> holds, string description, DecisionRefusal refusal)
    {
        _refusalByGuard[description] = refusal;
        return Tuple.Create(holds, description);
    }
}

/// <summary>
/// Who decides a waiting step, as the machine's guards see it. <paramref name="Recorded"/>: a decision
/// already stored (checked when it was made) being applied now, after a restart or by the expiry sweep.
/// </summary>
internal sealed record Decider(string Name, IReadOnlyList<string> Roles, int? CardVersion, bool Recorded = false,
    string? FactsDigest = null, string? Confirmation = null)
{
    public static Decider Of(Person person, int? cardVersion) => new(person.Name, person.Roles, cardVersion);

    public static Decider Of(Person person, GateDecisionRequest request) =>
        new(person.Name, person.Roles, request.CardVersion, FactsDigest: request.FactsDigest, Confirmation: request.Confirmation);

    public static Decider Stored(GateDecision decision) => new(decision.DecidedBy, [], null, Recorded: true);
}
