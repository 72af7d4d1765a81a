using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>What a lead chooses at the point-of-no-return gate.</summary>
public enum AfterPointOfNoReturn { Retry, Skip, RollBack }

/// <summary>
/// The rule of the point of no return: the first irreversible change of a runbook (an action that
/// changes production and has no compensation — the database promotion). Before it, a failing step
/// rolls the run back as it always did. Past it, nothing is undone automatically: the failed step
/// stops the run at a gate where a lead retries the step or skips it, or two leads roll back anyway.
/// </summary>
public static class PointOfNoReturn
{
    /// <summary>The run fact naming the failed step that waits at the point-of-no-return gate.</summary>
    public const string GateFact = "point_of_no_return_gate";

    public static bool IsIrreversible(StepDefinition step) =>
        step.Kind == StepKind.Action && step.ChangesProduction && step.Compensation is null;

    /// <summary>The step that is the point of no return, or null for runbooks that have none.</summary>
    public static StepDefinition? StepOf(RunbookDefinition definition) => definition.Steps.FirstOrDefault(IsIrreversible);

    public static bool IsPassed(RunRecord run, RunbookDefinition definition) =>
        definition.Steps.Any(s => IsIrreversible(s) && run.Step(s.Id)?.Status == StepStatus.Succeeded);

    /// <summary>The production changes already made (titles), for the gate's text.</summary>
    public static IReadOnlyList<string> Done(RunRecord run, RunbookDefinition definition) =>
        definition.Steps
            .Where(s => s.Kind == StepKind.Action && run.Step(s.Id)?.Status == StepStatus.Succeeded)
            .Select(s => run.Step(s.Id)!.Title)
            .ToList();

    /// <summary>True when <paramref name="stepId"/> failed past the point of no return and waits for a lead.</summary>
    public static bool IsGate(RunRecord run, string stepId) =>
        run.Facts.TryGetValue(GateFact, out var waiting) && waiting == stepId
        && run.Step(stepId)?.Status == StepStatus.AwaitingApproval;

    /// <summary>The decision slot of one stop (one per failed attempt): the first valid choice wins it.</summary>
    public static string DecisionKey(string stepId, int attempt) => $"{stepId}#after-point-of-no-return-{attempt}";

    /// <summary>"Roll back anyway" asked by a first lead, waiting for a second one.</summary>
    public static string RollbackRequestKey(string stepId, int attempt) => $"{DecisionKey(stepId, attempt)}#rollback-asked";

    public static string Word(AfterPointOfNoReturn choice) => choice switch
    {
        AfterPointOfNoReturn.Retry => "retry step",
        AfterPointOfNoReturn.Skip => "skip",
        _ => "roll back anyway",
    };

    /// <summary>The choice a stored decision carries (its reason starts with the choice's word).</summary>
    public static AfterPointOfNoReturn ChoiceOf(Approvals.GateDecision decision) =>
        (decision.Reason ?? "").StartsWith(Word(AfterPointOfNoReturn.Retry), StringComparison.Ordinal) ? AfterPointOfNoReturn.Retry
        : (decision.Reason ?? "").StartsWith(Word(AfterPointOfNoReturn.Skip), StringComparison.Ordinal) ? AfterPointOfNoReturn.Skip
        : AfterPointOfNoReturn.RollBack;
}

/// <summary>A lead's choice at the point-of-no-return gate (card buttons Retry step / Skip / Roll back anyway).</summary>
public sealed record PointOfNoReturnRequest(string RunId, string StepId, People.Actor Who, AfterPointOfNoReturn Choice, string? Reason, int? CardVersion);
