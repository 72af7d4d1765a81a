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

/// <summary>
/// N of M: each approver's approval is a decision of its own, stored under <c>{gate}#approval:{ask}:{person}</c>,
/// so the store's unique key counts a person once per ask of the gate; the gate's own key holds the final decision.
/// </summary>
public static class ApprovalKeys
{
    public const string Marker = "#approval:";

    public static string Of(string stepId, int ask, string person) => $"{stepId}{Marker}{ask}:{person.ToLowerInvariant()}";

    /// <summary>The gate of a per-approver key; null for any other decision.</summary>
    public static string? GateOf(string decisionStepId) =>
        decisionStepId.IndexOf(Marker, StringComparison.Ordinal) is var at and >= 0 ? decisionStepId[..at] : null;
}

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
    /// <summary>N of M: this person's approval of the gate is already counted.</summary>
    AlreadyApproved,
    /// <summary>The facts the card showed are not the facts now (digest, or measured again at the click).</summary>
    FactsChanged,
    /// <summary>A destructive gate: the target region's name was not typed, or typed wrong.</summary>
    ConfirmationMismatch,
}

/// <summary>The answer to a click: applied, or refused with a reason a person can read.</summary>
public sealed record DecisionResult(bool Applied, DecisionRefusal Refusal, string Message, GateDecision? Decision)
{
    public static DecisionResult Ok(GateDecision decision, string message) => new(true, DecisionRefusal.None, message, decision);
    public static DecisionResult Refused(DecisionRefusal refusal, string message, GateDecision? existing = null) => new(false, refusal, message, existing);
}
