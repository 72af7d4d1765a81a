namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>
/// Steps whose whole effect is a post or an undo: a practice run only says what they would do. The
/// undos (compensations) have nothing to undo in a practice run, since nothing was changed.
/// </summary>
public sealed class DescribeOnlyRehearsal(string name, Func<StepContext, string> describe) : IStepRehearsal
{
    public string Name => name;

    public Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(StepResult.Ok(describe(context)));

    public Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(PreflightFinding.Ready(describe(context)));

    public static DescribeOnlyRehearsal Post(string name, string? fixedAudience) =>
        new(name, c => $"would post to {fixedAudience ?? c.Text("audience", "stakeholders")}: {c.Text("text", c.Step.Title)}");

    public static DescribeOnlyRehearsal Undo(string name, string what) =>
        new(name, c => $"would {what} in {c.Text("region", c.Text("cluster", c.Run.Region))}; in a practice run nothing was changed, so nothing is undone");
}
