using System.Globalization;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// How every collaborator of the engine records a run: the run and the messages its change causes
/// in one commit, the step journal, the audit log. A finished failover records its measured time to
/// failover and RPO on its incident first, so the summary the projections build reads them.
/// </summary>
internal sealed partial class RunWriter(
    IDrBotStore store,
    string replicaId,
    AuditLog audit,
    TimeProvider time,
    IReadOnlyList<IRunProjection> projections,
    IncidentService? incidents,
    IOutboxWakeUp? wakeUp,
    ILogger logger)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Journal entries waiting for their run's next save (a run is saved by one caller at a time: its lock).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, List<JournalEntry>> _journal = new(StringComparer.Ordinal);

    public void Finish(RunRecord run, RunOutcome outcome, string reason)
    {
        run.Outcome = outcome;
        run.OutcomeReason = reason;
        run.EndedAt = time.GetUtcNow();
        run.GateExpiresAt = null;
    }

    /// <summary>Saves the run as its next version together with the messages its changes cause.</summary>
    public async Task SaveAsync(RunRecord run, CancellationToken cancellationToken, params RunChange[] changes)
    {
        if (!await CommitAsync(run, changes, cancellationToken))
        {
            throw new InvalidOperationException($"Run {run.Id}: the store refused a commit that claims nothing.");
        }
    }

    /// <summary>
    /// One transaction: the run as its next version, the messages every projection derives from each
    /// change, the run's claim when it is new (its value names the run), and the claim given back when
    /// it is finished. False (nothing written) only when a new run's claim is held by another run.
    /// Every save is fenced by the run's lease and version (<see cref="StoreCommit.Runs"/>): a refused
    /// save of an existing run throws <see cref="RunLeaseLostException"/>, with nothing written.
    /// </summary>
    public async Task<bool> CommitAsync(RunRecord run, IReadOnlyList<RunChange> changes, CancellationToken cancellationToken)
    {
        // Taken whatever happens next: a refused commit drops them with the change they describe.
        IReadOnlyList<JournalEntry> journal = _journal.TryRemove(run.Id, out var staged) ? staged : [];
        run.Version++;
        if (run.IsFinished && changes.Any(c => c.Kind == RunChangeKind.Finished))
        {
            // The incident is written outside the run's commit: only while this replica still holds the run.
            await EnsureStillHeldAsync(run, cancellationToken);
            await RecordFailoverOnIncidentAsync(run, cancellationToken);
        }
        var messages = new List<OutboxMessage>();
        foreach (var change in changes)
        {
            foreach (var projection in projections)
            {
                try
                {
                    messages.AddRange(await projection.ProjectAsync(run, change, cancellationToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogProjectionFailed(logger, ex, projection.GetType().Name, run.Id, change.Name);
                }
            }
        }
        IReadOnlyList<string> claims = run.Version == 1 && run.Claim is { } claim ? [claim] : [];
        IReadOnlyList<string> releases = run.IsFinished && run.Claim is { } held ? [held] : [];
        var commit = StoreCommit.ForRun(run, messages, claims, releases, replicaId) with { Values = [.. claims.Select(c => KeyValuePair.Create(c, run.Id))], Journal = journal };
        if (!await store.TryCommitAsync(commit, time.GetUtcNow(), cancellationToken))
        {
            run.Version--;
            if (run.Version >= 1)
            {
                throw new RunLeaseLostException(run.Id, replicaId);
            }
            return false;
        }
        if (messages.Count > 0)
        {
            wakeUp?.Notify();
        }
        return true;
    }

    /// <summary>
    /// Journals a step's phase with the run's next save, in the same commit: the journal then never
    /// says more than the saved run (a save refused by the lease fence writes neither).
    /// </summary>
    public void Journal(RunRecord run, string stepId, int attempt, JournalPhase phase, string? outcome, string? detail) =>
        _journal.GetOrAdd(run.Id, _ => []).Add(new JournalEntry(run.Id, stepId, attempt, phase, time.GetUtcNow(), outcome, detail));

    public Task<AuditEntry> AuditAsync(string actor, string action, string subject, string detail, CancellationToken cancellationToken) =>
        audit.RecordAsync(actor, action, subject, detail, cancellationToken);

    private async Task EnsureStillHeldAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var stored = await store.GetRunAsync(run.Id, cancellationToken);
        if (stored is null || stored.Version != run.Version - 1 || !string.Equals(stored.LeaseOwner, replicaId, StringComparison.Ordinal))
        {
            run.Version--;
            throw new RunLeaseLostException(run.Id, replicaId);
        }
    }

    private async Task RecordFailoverOnIncidentAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (incidents is null || run.IncidentId is null || run.Outcome != RunOutcome.Succeeded || run.Runbook is "failback")
        {
            return;
        }
        TimeSpan? rpo = run.Facts.TryGetValue("rpo_seconds", out var seconds)
            && double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s)
            : null;
        await incidents.RecordFailoverAsync(run.IncidentId, run.EndedAt ?? time.GetUtcNow(), rpo, cancellationToken);
    }

    [LoggerMessage(EventId = LogEvents.RunProjectionFailed, Level = LogLevel.Warning, Message = "Run projection {Projection} failed on {RunId} {Change}; the change is saved without its messages")]
    private static partial void LogProjectionFailed(ILogger logger, Exception exception, string projection, string runId, string change);
}
