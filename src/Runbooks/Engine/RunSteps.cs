using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>Reading a run's steps against its definition: the record of a step, and what a rollback would undo.</summary>
internal static class RunSteps
{
    /// <summary>The step's record, added when a definition changed under a stored run.</summary>
    public static StepRecord RecordOf(RunRecord run, StepDefinition step)
    {
        var record = run.Step(step.Id);
        if (record is null)
        {
            record = new StepRecord { StepId = step.Id, Title = StepArguments.ResolveTitle(step.Title, run) };
            run.Steps.Add(record);
        }
        return record;
    }

    /// <summary>Steps whose compensation is still to run, last first. A failed action is compensated too: it may have half happened.</summary>
    public static IEnumerable<StepDefinition> ToCompensate(RunRecord run, RunbookDefinition definition) =>
        definition.Steps
            .Where(s => s.Compensation is not null && s.Kind == StepKind.Action
                && run.Step(s.Id)?.Status is StepStatus.Succeeded or StepStatus.Failed)
            .Reverse();

    public static bool ChangedProduction(RunRecord run, RunbookDefinition definition) =>
        definition.Steps.Any(s => s.Kind == StepKind.Action && run.Step(s.Id)?.Status == StepStatus.Succeeded);
}
