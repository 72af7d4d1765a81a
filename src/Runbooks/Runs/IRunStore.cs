using DrBot.Runbooks.Approvals;

namespace DrBot.Runbooks.Runs;

public interface IRunStore
{
    // Runs are written only through IDrBotStore.TryCommitAsync, each save fenced by the run's lease and version.
    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(bool unfinishedOnly, CancellationToken cancellationToken);

    /// <summary>How many runs are on record by outcome (<see cref="RunOutcome.None"/>: unfinished), counted by the store without loading them.</summary>
    Task<IReadOnlyDictionary<RunOutcome, long>> CountRunsByOutcomeAsync(CancellationToken cancellationToken);

    /// <summary>False when (RunId, StepId, Attempt, Phase) is already recorded.</summary>
    Task<bool> TryAppendJournalAsync(JournalEntry entry, CancellationToken cancellationToken);
    Task<IReadOnlyList<JournalEntry>> GetJournalAsync(string runId, CancellationToken cancellationToken);

    /// <summary>False when the gate (RunId, StepId) already has a decision: the first one wins.</summary>
    Task<bool> TryRecordDecisionAsync(GateDecision decision, CancellationToken cancellationToken);
    Task<GateDecision?> GetDecisionAsync(string runId, string stepId, CancellationToken cancellationToken);
    Task<IReadOnlyList<GateDecision>> GetDecisionsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>
    /// Several replicas: leases the run to <paramref name="owner"/> until <paramref name="until"/> when it is
    /// unleased, its lease expired at <paramref name="now"/>, or <paramref name="owner"/> already holds it
    /// (then the lease is renewed). False when another owner holds a live lease or the run does not exist.
    /// Only the holder advances the run, so each step runs on one replica at a time. A store that serves a
    /// </summary>
    Task<bool> TryLeaseRunAsync(string runId, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the lease to <paramref name="until"/> only while <paramref name="owner"/> still holds it (a
    /// compare-and-swap on the owner): false once another replica took it over or it was released.
    /// </summary>
    Task<bool> TryRenewRunLeaseAsync(string runId, string owner, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Clears the run's lease, only while <paramref name="owner"/> holds it.</summary>
    Task ReleaseRunLeaseAsync(string runId, string owner, CancellationToken cancellationToken);
}
