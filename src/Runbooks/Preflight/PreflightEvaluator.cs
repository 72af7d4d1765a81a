using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Preflight;

/// <summary>
/// Evaluates every runbook that can fail over a region (all but the validations), towards every region
/// other than the one serving now, step by step through each executor's rehearsal: credentials, targets
/// present and in the right role, capacity, lag and archiving. Only read paths are called.
/// </summary>
public sealed class PreflightEvaluator(
    RunbookCatalog catalog,
    RunbookEngine engine,
    StepRehearsalRegistry rehearsals,
    IOptions<DrBotOptions> options,
    IOptions<PreflightOptions> preflight,
    TimeProvider time)
{
    public async Task<PreflightReport> EvaluateAsync(CancellationToken cancellationToken)
    {
        var serving = await engine.RegionLeftAsync("", cancellationToken);
        var results = new List<RunbookReadiness>();
        foreach (var definition in catalog.All.Where(d => !BuiltInRunbooks.Validations.Contains(d.Name)))
        {
            foreach (var region in engine.Regions.Where(r => !string.Equals(r, serving, StringComparison.OrdinalIgnoreCase)))
            {
                if (RegionRules.RefuseTarget(options.Value, definition.Name, region) is null)
                    results.Add(await EvaluateAsync(definition, region, cancellationToken));
            }
        }
        return new PreflightReport(time.GetUtcNow(), results);
    }

    public async Task<RunbookReadiness> EvaluateAsync(RunbookDefinition definition, string region, CancellationToken cancellationToken)
    {
        var run = new RunRecord
        {
            Id = "preflight",
            Runbook = definition.Name,
            Region = region,
            FromRegion = await engine.RegionLeftAsync(region, cancellationToken),
            StartedBy = "drbot",
            StartedAt = time.GetUtcNow(),
            Practice = true,
        };
        var steps = new List<StepReadiness>();
        foreach (var step in definition.Steps)
        {
            if (step.ParallelChecks.Count > 0)
                steps.AddRange(await Task.WhenAll(step.ParallelChecks.Select(check => StepAsync(run, check, cancellationToken))));
            else
                steps.Add(await StepAsync(run, step, cancellationToken));
        }
        return new RunbookReadiness(definition.Name, definition.Title, region, run.FromRegion, steps);
    }

    private async Task<StepReadiness> StepAsync(RunRecord run, StepDefinition step, CancellationToken cancellationToken)
    {
        var title = StepArguments.ResolveTitle(step.Title, run);
        StepReadiness Found(PreflightFinding f) => new(step.Id, title, f.Readiness, f.Reason);
        switch (step.Kind)
        {
            case StepKind.Gate:
                return Found(PreflightFinding.Ready($"a {step.Role ?? Roles.Lead} decides{(step.Condition is null ? "" : $", only when {step.Condition}")}"));
            case StepKind.Manual:
                return Found(PreflightFinding.Ready($"done by a person with role {step.Role ?? Roles.Lead}"));
        }
        if (step.Executor is null)
            return Found(PreflightFinding.Ready("nothing to run"));
        if (rehearsals.Find(step.Executor) is not { } rehearsal)
            return Found(PreflightFinding.Warning($"cannot be checked ahead: {StepRehearsalRegistry.NoRehearsal(step.Executor)}"));
        var timeout = preflight.Value.StepTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return Found(await rehearsal.PreflightAsync(new StepContext(run, step, StepArguments.Resolve(step.Arguments, run)), linked.Token));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Found(PreflightFinding.Blocked($"no answer within {timeout.TotalSeconds:0} s"));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A missing key names itself (InfrastructureNotConfiguredException); any other failure is what a real run would meet.
            return Found(PreflightFinding.Blocked(e is Infrastructure.Live.InfrastructureNotConfiguredException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}"));
        }
    }
}
