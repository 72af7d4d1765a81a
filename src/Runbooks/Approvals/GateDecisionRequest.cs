using DrBot.Runbooks.People;

namespace DrBot.Runbooks.Approvals;

/// <summary>
/// A click on Approve or Reject. <paramref name="CardVersion"/> is the run version the card showed:
/// an older card is stale and answered with the current state instead of being applied.
/// </summary>
public sealed record GateDecisionRequest(string RunId, string StepId, Actor Who, bool Approve, string? Reason, int? CardVersion);
