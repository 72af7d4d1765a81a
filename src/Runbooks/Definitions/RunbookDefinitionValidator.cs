using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// Checks the runbooks written in configuration, naming the offending key and the valid values,
/// so a typo stops the host at start instead of during a failover.
/// </summary>
public sealed class RunbookDefinitionValidator : IValidateOptions<DrBotOptions>
{
    private static readonly string[] KindNames = ["check", "action", "gate", "notify", "manual", "runbook"];
    private static readonly string[] FailureNames = ["abort", "rollback", "gate"];
    private static readonly string[] ReservedIds =
        [RunStates.Created, RunStates.RollingBack, RunStates.Succeeded, RunStates.Failed, RunStates.Rejected, RunStates.GateExpired, RunStates.Cancelled, RunStates.RolledBack];

    private readonly IReadOnlyCollection<string> _executors;

    /// <param name="executorNames">Every registered executor name (built-in and added ones).</param>
    public RunbookDefinitionValidator(IEnumerable<string> executorNames) =>
        _executors = new SortedSet<string>(executorNames, StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, DrBotOptions options)
    {
        var errors = Validate(options.Runbooks);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, RunbookDefinitionOptions> runbooks)
    {
        var errors = new List<string>();
        foreach (var (name, runbook) in runbooks)
        {
            var key = $"{DrBotOptions.Section}:Runbooks:{name}";
            if (runbook.Steps.Count == 0)
            {
                errors.Add($"{key}:Steps: a runbook needs at least one step");
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < runbook.Steps.Count; i++)
            {
                ValidateStep(runbook.Steps[i], $"{key}:Steps:{i}", seen, topLevel: true, errors);
            }
        }
        errors.AddRange(RunbookComposition.Problems(runbooks));
        return errors;
    }

    private void ValidateStep(StepDefinitionOptions step, string key, HashSet<string> seen, bool topLevel, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(step.Id))
        {
            errors.Add($"{key}:Id: a step needs an id");
        }
        else if (!seen.Add(step.Id))
        {
            errors.Add($"{key}:Id: duplicate step id '{step.Id}'");
        }
        else if (ReservedIds.Contains(step.Id, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{key}:Id: '{step.Id}' is reserved for a run state; choose another id");
        }

        var kind = ParseKind(step.Kind);
        if (kind is null)
        {
            errors.Add($"{key}:Kind: unknown kind '{step.Kind}'; valid: {string.Join(", ", KindNames)}");
        }
        if (!topLevel && kind is not null and not StepKind.Check)
        {
            errors.Add($"{key}:Kind: parallel steps must be checks, not '{step.Kind}'");
        }

        if (kind == StepKind.Manual && string.IsNullOrWhiteSpace(step.Instructions))
        {
            errors.Add($"{key}:Instructions: a manual step needs written instructions (what the person must do; the card shows them above the Done button)");
        }
        if (step.Expiry is { } expiry && (expiry <= TimeSpan.Zero || kind is not (StepKind.Gate or StepKind.Manual)))
        {
            errors.Add($"{key}:Expiry: '{expiry}' is not valid here; only gate and manual steps wait, for a positive time such as 00:30:00");
        }
        var needsExecutor = kind is StepKind.Check or StepKind.Action or StepKind.Notify && step.Parallel.Count == 0;
        if (needsExecutor && string.IsNullOrWhiteSpace(step.Executor))
        {
            errors.Add($"{key}:Executor: a {step.Kind} step needs an executor; valid: {string.Join(", ", _executors)}");
        }
        CheckExecutor(step.Executor, $"{key}:Executor", errors);
        CheckExecutor(step.Compensation, $"{key}:Compensation", errors);
        CheckPlaceholders(step.Args, $"{key}:Args", errors);
        CheckPlaceholders(step.CompensationArgs, $"{key}:CompensationArgs", errors);

        if (step.OnFailure is not null && ParseFailure(step.OnFailure) is null)
        {
            errors.Add($"{key}:OnFailure: unknown failure policy '{step.OnFailure}'; valid: {string.Join(", ", FailureNames)}");
        }
        if (kind == StepKind.Gate && string.IsNullOrWhiteSpace(step.Role))
        {
            errors.Add($"{key}:Role: a gate needs the role that decides it; valid: {string.Join(", ", Roles.All)}");
        }
        if (!string.IsNullOrWhiteSpace(step.Role) && !Roles.IsKnown(step.Role))
        {
            errors.Add($"{key}:Role: unknown role '{step.Role}'; valid: {string.Join(", ", Roles.All)}");
        }
        if (step.Condition is not null && !StepCondition.TryParse(step.Condition, out _))
        {
            errors.Add($"{key}:Condition: cannot read '{step.Condition}'; write '<fact> <operator> <value>' with an operator of {string.Join(" ", StepCondition.Operators)}, e.g. 'replication_lag_seconds > 60'");
        }
        ValidateApprovals(step, kind, key, errors);
        if (step.Parallel.Count > 0 && kind is not null and not StepKind.Check)
        {
            errors.Add($"{key}:Parallel: only check steps run parallel checks");
        }
        var subSeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var j = 0; j < step.Parallel.Count; j++)
        {
            ValidateStep(step.Parallel[j], $"{key}:Parallel:{j}", subSeen, topLevel: false, errors);
        }
    }

    /// <summary>N of M and typed confirmation belong to gates; more approvers than a team has leads would never open.</summary>
    private static void ValidateApprovals(StepDefinitionOptions step, StepKind? kind, string key, List<string> errors)
    {
        if (step.Approvals is < 1 or > MaxApprovals)
        {
            errors.Add($"{key}:Approvals: {step.Approvals} is not a number of approvers; valid: 1 to {MaxApprovals}");
        }
        else if (step.Approvals > 1 && kind is not null and not StepKind.Gate)
        {
            errors.Add($"{key}:Approvals: only gates count approvers, not a {step.Kind} step; valid: 1, or make the step kind gate");
        }
        if (step.Destructive && kind is not null and not StepKind.Gate)
        {
            errors.Add($"{key}:Destructive: only gates ask for a typed confirmation, not a {step.Kind} step; valid: false, or make the step kind gate");
        }
    }

    /// <summary>The most approvers one gate may ask for.</summary>
    public const int MaxApprovals = 5;

    private void CheckExecutor(string? executor, string key, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(executor) && !_executors.Contains(executor))
        {
            errors.Add($"{key}: unknown executor '{executor}'; valid: {string.Join(", ", _executors)}");
        }
    }

    private static void CheckPlaceholders(Dictionary<string, string> args, string key, List<string> errors)
    {
        foreach (var (name, value) in args)
        {
            foreach (var unknown in StepArguments.UnknownPlaceholders(value))
            {
                errors.Add($"{key}:{name}: unknown placeholder '{unknown}'; valid: {string.Join(", ", StepArguments.Placeholders)}");
            }
        }
    }

    internal static StepKind? ParseKind(string? kind) => kind?.Trim().ToLowerInvariant() switch
    {
        "check" => StepKind.Check,
        "action" => StepKind.Action,
        "gate" => StepKind.Gate,
        "notify" => StepKind.Notify,
        "manual" => StepKind.Manual,
        "runbook" => StepKind.Runbook,
        _ => null,
    };

    internal static FailurePolicy? ParseFailure(string? policy) => policy?.Trim().ToLowerInvariant() switch
    {
        null or "" or "abort" => FailurePolicy.Abort,
        "rollback" or "roll-back" => FailurePolicy.Rollback,
        "gate" or "ask" => FailurePolicy.AskGate,
        _ => null,
    };
}
