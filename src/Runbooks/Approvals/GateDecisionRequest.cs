using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Approvals;

/// <summary>
/// A click on Approve or Reject. <paramref name="CardVersion"/> is the run version the card showed:
/// an older card is stale and answered with the current state instead of being applied.
/// <paramref name="FactsDigest"/> is the <c>GateFacts.Digest</c> the card showed (null: a typed decision,
/// bound to the facts current when it arrives); <paramref name="Confirmation"/> the target region's name typed
/// for a destructive gate.
/// </summary>
public sealed record GateDecisionRequest(string RunId, string StepId, Actor Who, bool Approve, string? Reason, int? CardVersion,
    string? FactsDigest = null, string? Confirmation = null);
