using DrBot.Runbooks.Definitions;
using Stateless;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// The Stateless machine of one run, built from its definition. The state lives in
/// <see cref="RunRecord.State"/> (accessor/mutator constructor), so the machine itself holds nothing
/// that a restart could lose. States are the step ids plus <see cref="RunStates"/>.
/// </summary>
internal sealed class RunMachine
{
    public const string Start = "start";
    public const string Complete = "complete";
    public const string Fail = "fail";
    public const string Rollback = "rollback";
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string Skip = "skip";
    public const string Expire = "expire";
    public const string Override = "override";
    public const string Cancel = "cancel";
    public const string RolledBack = "rolled-back";
    public const string RollbackFailed = "rollback-failed";

    private readonly StateMachine<string, string> _machine;

    public RunMachine(RunbookDefinition definition, RunRecord run)
    {
        _machine = new StateMachine<string, string>(() => run.State, state => run.State = state);
        _machine.OnUnhandledTrigger((state, trigger) =>
            throw new InvalidOperationException($"Run {run.Id} is at '{state}', where '{trigger}' does not apply."));

        var steps = definition.Steps;
        _machine.Configure(RunStates.Created)
            .Permit(Start, steps.Count > 0 ? steps[0].Id : RunStates.Succeeded)
            .Permit(Cancel, RunStates.Cancelled);

        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var next = i + 1 < steps.Count ? steps[i + 1].Id : RunStates.Succeeded;
            var state = _machine.Configure(step.Id).Permit(Cancel, RunStates.Cancelled);
            if (step.Kind is StepKind.Gate or StepKind.Manual)
            {
                state.Permit(Approve, next).Permit(Reject, RunStates.Rejected).Permit(Expire, RunStates.GateExpired);
                if (StepCondition.TryParse(step.Condition, out var condition))
                {
                    state.PermitIf(Skip, next, () => !condition!.IsMet(run.Facts), $"{condition} does not hold");
                }
                continue;
            }
            state.Permit(Complete, next).Permit(Fail, RunStates.Failed).Permit(Rollback, RunStates.RollingBack);
            if (step.OnFailure == FailurePolicy.AskGate)
            {
                state.Permit(Override, next).Permit(Reject, RunStates.Rejected).Permit(Expire, RunStates.GateExpired);
            }
        }

        _machine.Configure(RunStates.RollingBack)
            .Permit(RolledBack, RunStates.RolledBack)
            .Permit(RollbackFailed, RunStates.Failed);
        foreach (var terminal in new[] { RunStates.Succeeded, RunStates.Failed, RunStates.Rejected, RunStates.GateExpired, RunStates.Cancelled, RunStates.RolledBack })
        {
            _machine.Configure(terminal);
        }
    }

    public string State => _machine.State;

    public bool CanFire(string trigger) => _machine.CanFire(trigger);

    public void Fire(string trigger) => _machine.Fire(trigger);

    public Stateless.Reflection.StateMachineInfo GetInfo() => _machine.GetInfo();
}
