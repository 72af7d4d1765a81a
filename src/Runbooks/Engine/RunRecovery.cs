using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// What happens to runs nobody is clicking on: gates that waited too long expire, a restart resumes
/// the unfinished runs, and with several replicas the runs a dead replica left are found again.
/// </summary>
internal sealed partial class RunRecovery(
    IRunStore store,
    RunWriter writer,
    RunLeases leases,
    GateDecider gates,
    RunbookCatalog catalog,
    Func<string, CancellationToken, Task<RunRecord>> advance,
    ILogger logger)
{
    /// <summary>
    /// Ends every run whose pending gate is past <see cref="RunRecord.GateExpiresAt"/> as gate expired,
    /// and tells the observers (the escalation event). Returns how many expired.
    /// </summary>
    public async Task<int> ExpireDueGatesAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        var now = writer.Now;
        var parents = new List<string>();
        foreach (var candidate in await store.ListRunsAsync(unfinishedOnly: true, cancellationToken))
        {
            if (candidate.GateExpiresAt is not { } due || due > now)
            {
                continue;
            }
            using (await leases.LockAsync(candidate.Id, cancellationToken))
            {
                // Another replica holding the run (deciding it, or expiring it itself) wins; this one moves on.
                if (!await leases.TryLeaseAsync(candidate.Id, cancellationToken))
                {
                    continue;
                }
                await using var lease = leases.Held(candidate.Id);
                var run = await store.GetRunAsync(candidate.Id, cancellationToken);
                var definition = run is null ? null : catalog.Find(run.Runbook);
                var step = definition?.Step(run!.State);
                if (run is null || run.IsFinished || definition is null || step is null
                    || run.GateExpiresAt is not { } stillDue || stillDue > now
                    || run.Step(step.Id)?.Status != StepStatus.AwaitingApproval)
                {
                    continue;
                }
                try
                {
                    // A decision stored just before a crash wins over the expiry.
                    if (await store.GetDecisionAsync(run.Id, step.Id, cancellationToken) is { } decision)
                    {
                        await gates.ApplyDecisionAsync(run, definition, step, new RunMachine(definition, run), decision, cancellationToken);
                        continue;
                    }
                    await gates.ExpireGateAsync(run, definition, step, cancellationToken);
                    expired++;
                    if (run.ParentRunId is { } parent)
                    {
                        parents.Add(parent);
                    }
                }
                catch (RunLeaseLostException)
                {
                    // Another replica took the run over meanwhile: it decides what happens to the gate.
                    continue;
                }
            }
        }
        // A child's expired gate ends its parent's step: the parent learns it now (outside the child's lock, which it takes).
        foreach (var parent in parents)
        {
            try
            {
                await advance(parent, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogResumeFailed(logger, ex, parent); // left to the next resume or takeover
            }
        }
        return expired;
    }

    /// <summary>
    /// After a restart: advances every unfinished run that is not waiting for a decision (a step that
    /// was running is re-verified by running its idempotent executor again). Pending gates stay pending,
    /// unless their decision (or the choice at a point-of-no-return stop) was stored just before the
    /// stop. Returns the ids of the runs advanced.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResumeUnfinishedAsync(CancellationToken cancellationToken)
    {
        var resumed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var unfinished = (await store.ListRunsAsync(unfinishedOnly: true, cancellationToken)).Where(r => !r.IsFinished);
        // Runs are independent (each has its own lock and lease), and a run's step mostly waits on a
        // server: taken up side by side, a thousand runs resume in about the time of the slowest few.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ResumeParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(unfinished, parallel, async (run, token) =>
        {
            if (await ResumeAsync(run, token))
            {
                resumed.Enqueue(run.Id);
            }
        });
        return [.. resumed];
    }

    /// <summary>How many runs a restart takes up at once.</summary>
    private const int ResumeParallelism = 16;

    private async Task<bool> ResumeAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (await WaitsForADecisionAsync(run, cancellationToken))
        {
            return false;
        }
        try
        {
            // Another live replica is advancing it (shared store): leave it. A lease left by this
            // process's previous life is granted again (LiteDB) or taken over once it expires (PostgreSQL).
            if (!await leases.TryLeaseAsync(run.Id, cancellationToken))
            {
                return false;
            }
            await writer.AuditAsync(Actor.System("resume").ToString(), "run-resumed", run.Id, $"resuming at '{run.State}'", cancellationToken);
            await advance(run.Id, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogResumeFailed(logger, ex, run.Id);
            return false;
        }
    }

    /// <summary>
    /// Several replicas: the unfinished runs no replica is advancing (never leased, released, or whose
    /// holder stopped renewing because it died) and that are not waiting for a decision. The run
    /// dispatcher advances them; the lease decides which replica actually does.
    /// </summary>
    public async Task<IReadOnlyList<string>> FindRunsToTakeOverAsync(CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var run in await store.ListRunsAsync(unfinishedOnly: true, cancellationToken))
        {
            if (run.IsFinished || leases.HeldByAnotherReplica(run) || string.Equals(run.LeaseOwner, leases.ReplicaId, StringComparison.Ordinal))
            {
                continue;
            }
            if (await WaitsForADecisionAsync(run, cancellationToken))
            {
                continue;
            }
            if (run.LeaseOwner is not null)
            {
                await writer.AuditAsync(Actor.System("takeover").ToString(), "run-taken-over", run.Id,
                    $"{leases.ReplicaId} takes over at '{run.State}': {run.LeaseOwner}'s lease expired at {run.LeaseUntil:O}", cancellationToken);
            }
            found.Add(run.Id);
        }
        return found;
    }

    /// <summary>
    /// The run waits at a gate and no decision is stored for it yet. A gate past the point of no return
    /// keeps its choice (Retry step / Skip / Roll back anyway) under its own key, one per failed attempt:
    /// a choice stored just before a stop is found there and applied by the advance.
    /// </summary>
    private async Task<bool> WaitsForADecisionAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.Step(run.State) is not { Status: StepStatus.AwaitingApproval } record)
        {
            return false;
        }
        var key = PointOfNoReturn.IsGate(run, run.State) ? PointOfNoReturn.DecisionKey(run.State, record.Attempts) : run.State;
        return await store.GetDecisionAsync(run.Id, key, cancellationToken) is null;
    }

    private bool HeldByAnotherReplica(RunRecord run) =>
        run.LeaseOwner is not null && run.LeaseUntil > writer.Now
        && !string.Equals(run.LeaseOwner, leases.ReplicaId, StringComparison.Ordinal);

    [LoggerMessage(EventId = LogEvents.RunResumeFailed, Level = LogLevel.Error, Message = "Resuming run {RunId} failed")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string runId);
}
