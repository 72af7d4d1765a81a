namespace DrBot.Runbooks.Engine;

public enum RunChangeKind { Started, StepStarted, StepFinished, GateOpened, GateSkipped, GateDecided, Finished, GateExpired }

/// <summary>What changed in a run. <see cref="GateExpired"/> is the escalation event of an expired gate.</summary>
public sealed record RunChange(RunChangeKind Kind, string? StepId, string Detail)
{
    /// <summary>started, step-started, step-finished, gate-opened, gate-skipped, gate-decided, finished, gate-expired.</summary>
    public string Name => Kind switch
    {
        RunChangeKind.Started => "started",
        RunChangeKind.StepStarted => "step-started",
        RunChangeKind.StepFinished => "step-finished",
        RunChangeKind.GateOpened => "gate-opened",
        RunChangeKind.GateSkipped => "gate-skipped",
        RunChangeKind.GateDecided => "gate-decided",
        RunChangeKind.Finished => "finished",
        _ => "gate-expired",
    };
}

/// <summary>
/// Told after every saved change of a run (cards, status posts, escalation). Called in order, after
/// the change is stored; a failing observer is logged and does not stop the run.
/// </summary>
public interface IRunObserver
{
    Task OnRunChangedAsync(RunRecord run, RunChange change, CancellationToken cancellationToken);
}
