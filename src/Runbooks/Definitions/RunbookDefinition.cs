namespace DrBot.Runbooks.Definitions;

/// <summary>
/// What a step is. <see cref="Manual"/>: a task for a person (written <see cref="StepDefinition.Instructions"/>,
/// a Done click). <see cref="Runbook"/>: runs another runbook (<see cref="StepDefinition.Runbook"/>) as a child run.
/// </summary>
public enum StepKind { Check, Action, Gate, Notify, Manual, Runbook }

/// <summary>What a failed step does to its run.</summary>
public enum FailurePolicy { Abort, Rollback, AskGate }

/// <summary>A runbook: data, not code. The engine builds one Stateless machine per run from it.</summary>
public sealed record RunbookDefinition(
    string Name,
    string Title,
    string Description,
    IReadOnlyList<StepDefinition> Steps)
{
    public StepDefinition? Step(string stepId) => Steps.FirstOrDefault(s => s.Id == stepId);
}

/// <summary>
/// One step. <see cref="Executor"/> names a registered step executor; <see cref="Args"/> are its
/// arguments (values may use <c>{region}</c>, <c>{primary}</c> placeholders). Gates name the
/// <see cref="Role"/> that decides them and may be conditional on the run's facts. A gate counts
/// <see cref="Approvals"/> different approvers (N of M, any rejection ends it); a <see cref="Destructive"/>
/// gate counts an approval only with the target region's name typed on the card.
/// </summary>
public sealed record StepDefinition(
    string Id,
    string Title,
    StepKind Kind,
    string? Executor = null,
    IReadOnlyDictionary<string, string>? Args = null,
    FailurePolicy OnFailure = FailurePolicy.Abort,
    string? Compensation = null,
    IReadOnlyDictionary<string, string>? CompensationArgs = null,
    string? Role = null,
    string? Condition = null,
    bool AllowSelfApproval = false,
    IReadOnlyList<StepDefinition>? Parallel = null,
    bool? Production = null,
    string? Instructions = null,
    TimeSpan? Expiry = null,
    string? Runbook = null,
    int Approvals = 1,
    bool Destructive = false)
{
    public IReadOnlyDictionary<string, string> Arguments => Args ?? EmptyArgs;
    public IReadOnlyList<StepDefinition> ParallelChecks => Parallel ?? [];
    /// <summary>
    /// Actions change production unless marked otherwise (<see cref="Production"/> false: e.g. scaling
    /// up a passive standby that serves no traffic yet).
    /// </summary>
    public bool ChangesProduction => Production ?? Kind == StepKind.Action;

    /// <summary>A step that waits for a person: a gate or a manual task.</summary>
    public bool WaitsForAPerson => Kind is StepKind.Gate or StepKind.Manual;

    private static readonly IReadOnlyDictionary<string, string> EmptyArgs = new Dictionary<string, string>();
}
