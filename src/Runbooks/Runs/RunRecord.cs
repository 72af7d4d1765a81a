namespace DrBot.Runbooks.Runs;

/// <summary>How a run ended. A timed-out gate is not a rejection, nor a cancellation.</summary>
public enum RunOutcome { None, Succeeded, Failed, Rejected, GateExpired, Cancelled, RolledBack }

public enum StepStatus { Pending, Running, Succeeded, Failed, Skipped, AwaitingApproval, Approved, Rejected, Expired, Compensated, CompensationFailed }

/// <summary>
/// A runbook run as stored. The Stateless machine of the run reads and writes <see cref="State"/>
/// through its external state accessor; the engine saves the record before each side effect
/// starts and after it ends. <see cref="Version"/> grows with every saved change and is what a
/// card button carries, so a click on a superseded card can be recognised.
/// </summary>
public sealed class RunRecord
{
    public string Id { get; set; } = "";
    public string Runbook { get; set; } = "";
    /// <summary>Target region of the runbook (the region failed over to, or failed back to).</summary>
    public string Region { get; set; } = "";
    /// <summary>The region being left (the current primary when the run started).</summary>
    public string? FromRegion { get; set; }
    public string StartedBy { get; set; } = "";
    public string StartedByChannel { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? IncidentId { get; set; }
    /// <summary>The Stateless machine's state: a step id, or one of <see cref="RunStates"/>.</summary>
    public string State { get; set; } = RunStates.Created;
    public RunOutcome Outcome { get; set; }
    public string? OutcomeReason { get; set; }
    public int Version { get; set; }
    public List<StepRecord> Steps { get; set; } = [];
    /// <summary>What the checks found (replication_lag_seconds, secondary_healthy …); gate conditions read these.</summary>
    public Dictionary<string, string> Facts { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Set when a gate is pending: when it expires.</summary>
    public DateTimeOffset? GateExpiresAt { get; set; }
    /// <summary>Multi-replica execution lease (PostgreSQL store): who is executing the run and until when.</summary>
    public string? LeaseOwner { get; set; }
    /// <summary>The key this run holds while unfinished (one run per runbook and target region); given back when it ends.</summary>
    public string? Claim { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>A child run (started by a step of kind runbook): the run whose step started it, and which drives it.</summary>
    public string? ParentRunId { get; set; }
    /// <summary>
    /// A practice run: every action is replaced by its verification and a description of the change it
    /// would make; gates are decided as in a real run. It changes no system and is no failover in the KPIs.
    /// </summary>
    public bool Practice { get; set; }

    public bool IsFinished => Outcome != RunOutcome.None;
    public StepRecord? Step(string stepId) => Steps.FirstOrDefault(s => s.StepId == stepId);

    /// <summary>
    /// The step waiting for a decision (a gate, or a failed step that asks whether to go on), or null
    /// when the run is finished or not waiting.
    /// </summary>
    public StepRecord? PendingGate() =>
        !IsFinished && Step(State) is { Status: StepStatus.AwaitingApproval } waiting ? waiting : null;

    /// <summary>Whether a decision is pending that has not expired at <paramref name="now"/>.</summary>
    public bool HasLiveGate(DateTimeOffset now) => PendingGate() is not null && GateExpiresAt > now;
}

public static class RunStates
{
    public const string Created = "created";
    public const string RollingBack = "rolling-back";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Rejected = "rejected";
    public const string GateExpired = "gate-expired";
    public const string Cancelled = "cancelled";
    public const string RolledBack = "rolled-back";

    public static bool IsTerminal(string state) =>
        state is Succeeded or Failed or Rejected or GateExpired or Cancelled or RolledBack;
}

public sealed class StepRecord
{
    public string StepId { get; set; } = "";
    public string Title { get; set; } = "";
    public StepStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    /// <summary>One line for the card: what the step found or did.</summary>
    public string? Detail { get; set; }
    /// <summary>Parallel checks: each sub-check's result.</summary>
    public List<CheckResult> Checks { get; set; } = [];
    /// <summary>
    /// A gate needing several approvers (N of M): who has approved since it was last asked. Cleared when
    /// the gate is asked again because its facts changed (they approved other facts).
    /// </summary>
    public List<GateApproval> Approvals { get; set; } = [];
    /// <summary>A step of kind runbook: the child run it started.</summary>
    public string? ChildRunId { get; set; }
}

/// <summary>One approver's approval of a gate that needs several.</summary>
public sealed record GateApproval(string Name, string DisplayName, string Channel, DateTimeOffset At, string? Reason);

public sealed record CheckResult(string Id, string Title, bool Passed, string Detail);

/// <summary>
/// One line of a run's step journal. (RunId, StepId, Attempt, Phase) is unique in the store, so a
/// step attempt is recorded once even if two writers race.
/// </summary>
public sealed record JournalEntry(
    string RunId,
    string StepId,
    int Attempt,
    JournalPhase Phase,
    DateTimeOffset At,
    string? Outcome = null,
    string? Detail = null);

public enum JournalPhase { Started, Completed, Failed, CompensationStarted, Compensated, Skipped, GateOpened, GateDecided }
