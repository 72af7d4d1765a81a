using DrBot.Runbooks.Engine;

namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>How ready a step (or a runbook, by its worst step) is to run now.</summary>
public enum Readiness { Ready, Warning, Blocked }

/// <summary>What the pre-flight found for one step: its readiness and the reason in words.</summary>
public sealed record PreflightFinding(Readiness Readiness, string Reason)
{
    public static PreflightFinding Ready(string reason) => new(Readiness.Ready, reason);
    public static PreflightFinding Warning(string reason) => new(Readiness.Warning, reason);
    public static PreflightFinding Blocked(string reason) => new(Readiness.Blocked, reason);
}

/// <summary>
/// "Verify and describe without acting" for one step executor (registered under the executor's name).
/// Nothing here may change any system: only the read paths of the ports are called.
/// </summary>
public interface IStepRehearsal
{
    /// <summary>The executor this rehearses (<see cref="IStepExecutor.Name"/>).</summary>
    string Name { get; }

    /// <summary>
    /// A practice run's stand-in for <see cref="IStepExecutor.ExecuteAsync"/>: verifies what the step would
    /// act on and says what it would change ("would disable endpoint east-us"); a target that is missing or
    /// unreachable fails the step as the real one would. Facts a later gate reads are reported as measured.
    /// </summary>
    Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken);

    /// <summary>The continuous pre-flight: could the step run now (credentials, target present and in the right role, limits)?</summary>
    Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken);
}
