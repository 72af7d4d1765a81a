using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// Measures a gate's facts again (before an approval counts, which is just before the next step acts):
/// the check steps before the gate run once more, read-only, on a copy of the run. Nothing on the run
/// changes unless the caller applies the measurement.
/// </summary>
internal sealed class GateFactsProbe(StepRunner steps)
{
    public async Task<GateMeasurement> MeasureAsync(RunRecord run, RunbookDefinition definition, StepDefinition gate, CancellationToken cancellationToken)
    {
        var before = GateFacts.Of(run, definition, gate.Id);
        var copy = StoreJson.ReadRun(StoreJson.Write(run));
        var checks = definition.Steps.TakeWhile(s => s.Id != gate.Id)
            .Where(s => s.Kind == StepKind.Check && copy.Step(s.Id)?.Status is StepStatus.Succeeded or StepStatus.Failed or StepStatus.Approved)
            .ToList();
        // Side by side, as the pre-checks ran; each result lands on the copy only.
        var results = await Task.WhenAll(checks.Select(step => steps.RunAsync(copy, step, cancellationToken)));
        for (var i = 0; i < checks.Count; i++)
        {
            var (result, subChecks) = results[i];
            var record = copy.Step(checks[i].Id)!;
            foreach (var (key, value) in result.Facts ?? new Dictionary<string, string>())
            {
                copy.Facts[key] = value;
            }
            record.Checks = subChecks;
            record.Detail = result.Detail;
            record.Status = result.Kind == StepResultKind.Succeeded ? StepStatus.Succeeded : StepStatus.Failed;
        }
        var after = GateFacts.Of(copy, definition, gate.Id);
        return new GateMeasurement(before, after, copy, [.. checks.Select(c => c.Id)]);
    }
}

/// <summary>The facts before and after measuring again; <see cref="Measured"/> is the run copy holding the new results.</summary>
internal sealed record GateMeasurement(GateFacts Before, GateFacts After, RunRecord Measured, IReadOnlyList<string> StepIds)
{
    public bool Changed => Before.Digest != After.Digest;

    /// <summary>Copies the new results onto <paramref name="run"/>: facts, and each re-run check step's checks, detail and status.</summary>
    public void ApplyTo(RunRecord run)
    {
        foreach (var (key, value) in Measured.Facts)
        {
            run.Facts[key] = value;
        }
        foreach (var id in StepIds)
        {
            var measured = Measured.Step(id)!;
            var record = run.Step(id)!;
            record.Checks = measured.Checks;
            record.Detail = $"measured again: {measured.Detail}";
            record.Status = measured.Status;
        }
    }
}
