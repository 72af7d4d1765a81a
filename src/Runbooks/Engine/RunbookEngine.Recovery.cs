using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>
    /// Ends every run whose pending gate is past <see cref="RunRecord.GateExpiresAt"/> as gate expired,
    /// and tells the observers (the escalation event). Returns how many expired.
    /// </summary>
    public async Task<int> ExpireDueGatesAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        var now = _time.GetUtcNow();
        foreach (var candidate in await _store.ListRunsAsync(unfinishedOnly: true, cancellationToken))
        {
            if (candidate.GateExpiresAt is not { } due || due > now)
            {
                continue;
            }
            using (await LockRunAsync(candidate.Id, cancellationToken))
            {
                // Another replica holding the run (deciding it, or expiring it itself) wins; this one moves on.
                if (!await TryLeaseAsync(candidate.Id, cancellationToken))
                {
                    continue;
                }
                await using var lease = new RunLeaseHold(this, candidate.Id, true);
                var run = await _store.GetRunAsync(candidate.Id, cancellationToken);
                var definition = run is null ? null : _catalog.Find(run.Runbook);
                var step = definition?.Step(run!.State);
                if (run is null || run.IsFinished || definition is null || step is null
                    || run.GateExpiresAt is not { } stillDue || stillDue > now
                    || run.Step(step.Id)?.Status != StepStatus.AwaitingApproval)
                {
                    continue;
                }
                // A decision stored just before a crash wins over the expiry.
                if (await _store.GetDecisionAsync(run.Id, step.Id, cancellationToken) is { } decision)
                {
                    await ApplyDecisionAsync(run, definition, step, new RunMachine(definition, run), decision, cancellationToken);
                    continue;
                }
                await ExpireGateAsync(run, definition, step, cancellationToken);
                expired++;
            }
        }
        return expired;
    }

    private async Task ExpireGateAsync(RunRecord run, RunbookDefinition definition, StepDefinition step, CancellationToken cancellationToken)
    {
        var record = StepRecordOf(run, step);
        var role = RunMachine.GateRole(step) ?? "the roster";
        var detail = $"'{record.Title}' had no decision within {_options.Approvals.Expiry:hh\\:mm\\:ss}; escalate to {role}";
        record.Status = StepStatus.Expired;
        record.EndedAt = _time.GetUtcNow();
        record.Detail = detail;
        await JournalAsync(run, step.Id, Math.Max(1, record.Attempts), JournalPhase.GateDecided, "expired", detail, cancellationToken);
        new RunMachine(definition, run).ExpireGate();
        Finish(run, RunOutcome.GateExpired, detail);
        await SaveAsync(run, cancellationToken,
            new RunChange(RunChangeKind.GateExpired, step.Id, detail),
            new RunChange(RunChangeKind.Finished, step.Id, detail));
        await AuditAsync("drbot", "gate-expired", $"{run.Id}/{step.Id}", detail, cancellationToken);
    }

    /// <summary>
    /// After a restart: advances every unfinished run that is not waiting for a decision (a step that
    /// was running is re-verified by running its idempotent executor again). Pending gates stay pending,
    /// unless their decision was stored just before the stop. Returns the ids of the runs advanced.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResumeUnfinishedAsync(CancellationToken cancellationToken)
    {
        var resumed = new List<string>();
        foreach (var run in await _store.ListRunsAsync(unfinishedOnly: true, cancellationToken))
        {
            if (run.IsFinished)
            {
                continue;
            }
            if (run.Step(run.State)?.Status == StepStatus.AwaitingApproval
                && await _store.GetDecisionAsync(run.Id, run.State, cancellationToken) is null)
            {
                continue;
            }
            try
            {
                // Another live replica is advancing it (shared store): leave it. A lease left by this
                // process's previous life is granted again (LiteDB) or taken over once it expires (PostgreSQL).
                if (!await TryLeaseAsync(run.Id, cancellationToken))
                {
                    continue;
                }
                await AuditAsync(Actor.System("resume").ToString(), "run-resumed", run.Id, $"resuming at '{run.State}'", cancellationToken);
                await AdvanceAsync(run.Id, cancellationToken);
                resumed.Add(run.Id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogResumeFailed(_logger, ex, run.Id);
            }
        }
        return resumed;
    }

    /// <summary>
    /// Several replicas: the unfinished runs no replica is advancing (never leased, released, or whose
    /// holder stopped renewing because it died) and that are not waiting for a decision. The run
    /// dispatcher advances them; the lease decides which replica actually does.
    /// </summary>
    public async Task<IReadOnlyList<string>> FindRunsToTakeOverAsync(CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var run in await _store.ListRunsAsync(unfinishedOnly: true, cancellationToken))
        {
            if (run.IsFinished || HeldByAnotherReplica(run) || string.Equals(run.LeaseOwner, ReplicaId, StringComparison.Ordinal))
            {
                continue;
            }
            if (run.Step(run.State)?.Status == StepStatus.AwaitingApproval
                && await _store.GetDecisionAsync(run.Id, run.State, cancellationToken) is null)
            {
                continue;
            }
            if (run.LeaseOwner is not null)
            {
                await AuditAsync(Actor.System("takeover").ToString(), "run-taken-over", run.Id,
                    $"{ReplicaId} takes over at '{run.State}': {run.LeaseOwner}'s lease expired at {run.LeaseUntil:O}", cancellationToken);
            }
            found.Add(run.Id);
        }
        return found;
    }

    private bool HeldByAnotherReplica(RunRecord run) =>
        run.LeaseOwner is not null && run.LeaseUntil > _time.GetUtcNow()
        && !string.Equals(run.LeaseOwner, ReplicaId, StringComparison.Ordinal);
}
