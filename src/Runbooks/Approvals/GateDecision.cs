namespace DrBot.Runbooks.Approvals;

/// <summary>A recorded decision on a gate. (RunId, StepId) is unique: the first valid decision wins.</summary>
public sealed record GateDecision(
    string RunId,
    string StepId,
    bool Approved,
    string DecidedBy,
    string DisplayName,
    string Channel,
    DateTimeOffset DecidedAt,
    string? Reason);

public enum DecisionRefusal
{
    None,
    UnknownPerson,
    WrongRole,
    SelfApproval,
    AlreadyDecided,
    Stale,
    Expired,
    NoPendingGate,
    RunNotFound,
    StoreUnavailable,
    /// <summary>Another replica is working on the run right now; the click can be repeated.</summary>
    Busy,
}

/// <summary>The answer to a click: applied, or refused with a reason a person can read.</summary>
public sealed record DecisionResult(bool Applied, DecisionRefusal Refusal, string Message, GateDecision? Decision)
{
    public static DecisionResult Ok(GateDecision decision, string message) => new(true, DecisionRefusal.None, message, decision);
    public static DecisionResult Refused(DecisionRefusal refusal, string message, GateDecision? existing = null) => new(false, refusal, message, existing);
}
