using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Application;

/// <summary>
/// The use cases of runbook runs, whoever asks (a chat command, a card click, the health monitor):
/// start one for an incident, decide its gate, cancel it. "One run per runbook and target region"
/// is a claim the engine commits with the new run and gives back when it ends, so two starts at
/// the same moment (two replicas, a click and the monitor) cannot both succeed.
/// </summary>
public sealed class RunbookService(
    RunbookEngine engine,
    RunbookCatalog catalog,
    IncidentService incidents,
    RunQueries runs,
    IIdempotencyStore values,
    IRunQueue queue)
{
    /// <summary>The claim a run of <paramref name="runbook"/> to <paramref name="region"/> holds while unfinished.</summary>
    public static string ClaimKey(string runbook, string region) => RunClaims.Key(runbook, region);

    /// <summary>The unfinished run holding the claim of <paramref name="runbook"/> to <paramref name="region"/>, if any.</summary>
    public Task<RunRecord?> UnderWayAsync(string runbook, string region, CancellationToken cancellationToken) =>
        HolderAsync(ClaimKey(runbook, region), cancellationToken);

    private async Task<RunRecord?> HolderAsync(string claim, CancellationToken cancellationToken)
    {
        var holder = await values.GetValueAsync(claim, cancellationToken);
        return holder is null || await runs.GetAsync(holder, cancellationToken) is not { IsFinished: false } run ? null : run;
    }

    /// <summary>
    /// Starts <paramref name="runbook"/> towards <paramref name="region"/> on <paramref name="incidentId"/>,
    /// links it to the incident and queues it to run. Refused, with what is valid, for an unknown runbook
    /// or region, a person not on the roster, or a run of the same runbook and region already under way.
    /// </summary>
    public Task<RunStartOutcome> StartForIncidentAsync(string runbook, string region, string incidentId, Actor who, CancellationToken cancellationToken) =>
        StartAsync(runbook, region, incidentId, who, cancellationToken);

    /// <summary>
    /// Starts a run that belongs to an exercise rather than an incident (a validation, a live drill's
    /// switchover and failback): the same claim, gates and card, in the channel instead of an incident thread.
    /// </summary>
    public Task<RunStartOutcome> StartForExerciseAsync(string runbook, string region, Actor who, CancellationToken cancellationToken) =>
        StartAsync(runbook, region, null, who, cancellationToken);

    /// <summary>
    /// Starts a practice run (<c>--practice</c>): the whole runbook with every action replaced by its
    /// rehearsal, gates included, in the channel rather than an incident. Its claim is its own, so a
    /// practice never stands in the way of a real failover (one practice per runbook and region at a time).
    /// </summary>
    public Task<RunStartOutcome> StartPracticeAsync(string runbook, string region, Actor who, CancellationToken cancellationToken) =>
        StartAsync(runbook, region, null, who, cancellationToken, practice: true);

    /// <summary>The claim a practice run of <paramref name="runbook"/> to <paramref name="region"/> holds while unfinished.</summary>
    public static string PracticeClaimKey(string runbook, string region) => RunClaims.PracticeKey(runbook, region);

    private async Task<RunStartOutcome> StartAsync(string runbook, string region, string? incidentId, Actor who, CancellationToken cancellationToken, bool practice = false)
    {
        if (catalog.Find(runbook) is not { } definition)
        {
            return RunStartOutcome.Refused($"Unknown runbook '{runbook}'. Runbooks: {string.Join(", ", catalog.All.Select(r => r.Name))}.");
        }
        var target = engine.Regions.FirstOrDefault(r => string.Equals(r, region?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? region ?? "";
        var claim = practice ? PracticeClaimKey(definition.Name, target) : ClaimKey(definition.Name, target);
        var started = await engine.StartAsync(new StartRunRequest(definition.Name, target, who, incidentId, claim, Practice: practice), cancellationToken);
        if (started.ClaimTaken)
        {
            return await HolderAsync(claim, cancellationToken) is { } running
                ? RunStartOutcome.AlreadyRunning(running)
                : RunStartOutcome.Refused($"A {definition.Name} run to {target} is just ending; try again in a moment.");
        }
        if (!started.Started || started.Run is not { } run)
        {
            return RunStartOutcome.Refused(started.Message);
        }
        if (incidentId is not null)
            await incidents.LinkRunAsync(incidentId, run.Id, who, cancellationToken);
        queue.Enqueue(run.Id);
        return RunStartOutcome.Started(run);
    }

    /// <summary>Applies an Approve/Reject (button or typed) and queues the run to go on when it was applied.</summary>
    public async Task<DecisionResult> DecideAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        var result = await engine.DecideAsync(request, cancellationToken);
        if (result.Applied)
        {
            await EnqueueDriverAsync(request.RunId, cancellationToken);
        }
        return result;
    }

    /// <summary>Retry step, Skip or Roll back anyway at a point-of-no-return stop; the run is queued to go on when applied.</summary>
    public async Task<DecisionResult> DecideAfterPointOfNoReturnAsync(PointOfNoReturnRequest request, CancellationToken cancellationToken)
    {
        var result = await engine.DecideAfterPointOfNoReturnAsync(request, cancellationToken);
        if (result.Applied)
        {
            await EnqueueDriverAsync(request.RunId, cancellationToken);
        }
        return result;
    }

    /// <summary>The unfinished runs stopped past the point of no return (only <paramref name="runId"/> when given).</summary>
    public async Task<IReadOnlyList<RunRecord>> StoppedPastPointOfNoReturnAsync(string? runId, CancellationToken cancellationToken) =>
        [.. (await runs.ListUnfinishedAsync(cancellationToken))
            .Where(r => (runId is null || r.Id == runId) && r.Facts.TryGetValue(PointOfNoReturn.GateFact, out var step) && PointOfNoReturn.IsGate(r, step))];

    /// <summary>
    /// A typed <c>approve [run-id]</c>: the one run waiting for a decision (or the named one). Null with
    /// a message when none or several wait.
    /// </summary>
    public async Task<(RunRecord? Run, string? Problem)> FindWaitingAsync(string? runId, CancellationToken cancellationToken)
    {
        var waiting = (await runs.ListUnfinishedAsync(cancellationToken))
            .Where(r => r.PendingGate() is not null && catalog.Find(r.Runbook) is not null && (runId is null || r.Id == runId))
            .ToList();
        return waiting.Count switch
        {
            1 => (waiting[0], null),
            0 => (null, "No run is waiting for a decision" + (runId is null ? "." : $" with id {runId}.")),
            _ => (null, $"Several runs wait for a decision: {string.Join(", ", waiting.Select(r => r.Id))}. Say which: `approve <run-id> [reason]`."),
        };
    }

    /// <summary>
    /// Cancels the run; null when there is no such run. A parent's unfinished child runs are cancelled
    /// with it; a cancelled child ends its parent's step (the parent is queued to notice).
    /// </summary>
    public async Task<RunRecord?> CancelAsync(string runId, Actor who, string? reason, CancellationToken cancellationToken)
    {
        var run = await engine.CancelAsync(runId.ToLowerInvariant(), who, reason, cancellationToken);
        if (run is { Outcome: RunOutcome.Cancelled })
        {
            foreach (var child in await engine.ChildrenOfAsync(run, cancellationToken))
            {
                await engine.CancelAsync(child, who, $"its parent {run.Id} was cancelled", cancellationToken);
            }
            if (run.ParentRunId is { } parent)
            {
                queue.Enqueue(parent);
            }
        }
        return run;
    }

    /// <summary>A child run is driven by its parent: what lets a child go on queues the parent.</summary>
    private async Task EnqueueDriverAsync(string runId, CancellationToken cancellationToken) =>
        queue.Enqueue(await runs.GetAsync(runId, cancellationToken) is { ParentRunId: { } parent } ? parent : runId);
}

/// <summary>The answer to a start: the run, the run already under way, or a refusal saying what is valid.</summary>
public sealed record RunStartOutcome(RunRecord? Run, RunRecord? Running, string? Refusal)
{
    public static RunStartOutcome Started(RunRecord run) => new(run, null, null);
    public static RunStartOutcome AlreadyRunning(RunRecord running) => new(null, running, null);
    public static RunStartOutcome Refused(string message) => new(null, null, message);
}
