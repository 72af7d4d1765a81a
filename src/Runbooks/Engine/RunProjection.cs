using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

public enum RunChangeKind { Started, StepStarted, StepFinished, GateOpened, GateSkipped, GateDecided, Finished, GateExpired, FreezeChanged }

/// <summary>What changed in a run. <see cref="GateExpired"/> is the escalation event of an expired gate.</summary>
public sealed record RunChange(RunChangeKind Kind, string? StepId, string Detail)
{
    /// <summary>started, step-started, step-finished, gate-opened, gate-skipped, gate-decided, finished, gate-expired, freeze-changed (the run itself did not change: its card shows or drops the freeze).</summary>
    public string Name => Kind switch
    {
        RunChangeKind.Started => "started",
        RunChangeKind.StepStarted => "step-started",
        RunChangeKind.StepFinished => "step-finished",
        RunChangeKind.GateOpened => "gate-opened",
        RunChangeKind.GateSkipped => "gate-skipped",
        RunChangeKind.GateDecided => "gate-decided",
        RunChangeKind.Finished => "finished",
        RunChangeKind.FreezeChanged => "freeze-changed",
        _ => "gate-expired",
    };
}

/// <summary>
/// What a run's change causes outside the run (card updates, gate notices, escalation, incident
/// summary), as outbox messages. The engine asks every projection before it stores the change and
/// commits the run with the messages in one transaction, so a crash leaves both or neither.
/// A projection only reads: it never writes, and never calls back into the engine. One that throws
/// is logged and adds nothing; the run goes on.
/// </summary>
public interface IRunProjection
{
    Task<IReadOnlyList<OutboxMessage>> ProjectAsync(RunRecord run, RunChange change, CancellationToken cancellationToken);
}

/// <summary>Told after messages were committed, so their delivery starts now rather than at the next poll.</summary>
public interface IOutboxWakeUp
{
    void Notify();
}
