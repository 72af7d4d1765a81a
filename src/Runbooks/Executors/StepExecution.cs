using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Executors;

public enum StepResultKind { Succeeded, Failed, Transient }

/// <summary>
/// What an executor reports. <see cref="RollbackSignal"/> carries the strategy's rollback
/// triggers (<c>secondary_unhealthy</c>, <c>data_inconsistency_detected</c>); <see cref="Facts"/> are
/// merged into the run's facts (gate conditions read them).
/// </summary>
public sealed record StepResult(
    StepResultKind Kind,
    string Detail,
    IReadOnlyDictionary<string, string>? Facts = null,
    string? RollbackSignal = null)
{
    public static StepResult Ok(string detail, IReadOnlyDictionary<string, string>? facts = null) => new(StepResultKind.Succeeded, detail, facts);
    public static StepResult Fail(string detail, string? rollbackSignal = null, IReadOnlyDictionary<string, string>? facts = null) => new(StepResultKind.Failed, detail, facts, rollbackSignal);
    public static StepResult Retry(string detail) => new(StepResultKind.Transient, detail);
}

public static class RollbackSignals
{
    public const string SecondaryUnhealthy = "secondary_unhealthy";
    public const string DataInconsistency = "data_inconsistency_detected";
}

/// <summary>What an executor is given: the run, the step, and its arguments with placeholders resolved.</summary>
public sealed record StepContext(
    RunRecord Run,
    StepDefinition Step,
    IReadOnlyDictionary<string, string> Args);

/// <summary>
/// One named kind of step work ("db.promote", "traffic.switch" …). Executors are idempotent and
/// verify before acting: repeating one after a crash must not repeat its side effect.
/// </summary>
public interface IStepExecutor
{
    string Name { get; }
    Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken);
}
