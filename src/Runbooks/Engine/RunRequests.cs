using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// Start <paramref name="Runbook"/> towards <paramref name="Region"/>, e.g. <c>failover west-us</c>.
/// <paramref name="Claim"/>, when given, is a key the run holds while unfinished: it is claimed in the
/// same commit that stores the new run (a run already holding it refuses the start) and given back in
/// the commit that stores the run finished.
/// </summary>
/// <paramref name="ParentRunId"/> and <paramref name="FromRegion"/>: a child run started by a step of kind runbook, leaving the region its parent leaves.
/// <paramref name="Practice"/>: a practice run (<see cref="RunRecord.Practice"/>).
public sealed record StartRunRequest(string Runbook, string Region, Actor StartedBy, string? IncidentId, string? Claim = null, string? ParentRunId = null, string? FromRegion = null, bool Practice = false);

/// <summary>
/// Started, with the stored run; or not, with a message saying what was wrong and what is valid.
/// <paramref name="ClaimTaken"/>: refused because another unfinished run holds the request's claim.
/// </summary>
public sealed record StartRunResult(bool Started, string Message, RunRecord? Run, bool ClaimTaken = false);

public enum GraphFormat { Mermaid, Dot }

/// <summary>How the engine retries a step that reports a transient failure (bounded exponential backoff).</summary>
public sealed class RunbookEngineOptions
{
    /// <summary>Attempts of one step execution before a transient failure counts as a failure.</summary>
    public int MaxAttempts { get; set; } = 4;
    /// <summary>First backoff delay; doubled after each attempt. Zero retries at once (tests).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Who this engine is among several replicas (the run lease owner). Unique per process by default;
    /// set DrBot:Engine:ReplicaId to name a replica in logs and the store.
    /// </summary>
    public string ReplicaId { get; set; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// How long a replica's claim on a run lasts without renewal (renewed every third of it while a step
    /// runs). A replica that dies mid-step has its run taken over by another after this much time.
    /// </summary>
    public TimeSpan RunLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a click or cancel waits for another replica to let go of the run before answering "busy".</summary>
    public TimeSpan LeaseWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the run dispatcher looks for runs no replica is advancing (a dead replica's runs).
    /// Null: never (one process per store, as with LiteDB, resumes its runs at start instead).
    /// The PostgreSQL store registration turns it on.
    /// </summary>
    public TimeSpan? TakeoverPoll { get; set; }
}
