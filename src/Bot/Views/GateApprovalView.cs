using DrBot.Bot.Cards;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Views;

/// <summary>
/// What an approval card adds for the rules of issue 18: the facts the approval is bound to (their digest
/// goes back with the click), who has approved an N-of-M gate and how many are still needed, and the box
/// where a destructive gate's target region is typed.
/// </summary>
public static class GateApprovalView
{
    /// <summary>"2 leads other than alice must approve (1 of 2 so far: Bob)".</summary>
    public static string WhoDecides(RunRecord run, StepDefinition gate)
    {
        var role = gate.Role ?? Roles.Lead;
        if (gate.Kind != StepKind.Gate || gate.Approvals <= 1)
            return $"a {role} other than {run.StartedBy} must decide";
        var approvals = run.Step(gate.Id)?.Approvals ?? [];
        var left = gate.Approvals - approvals.Count;
        return $"{gate.Approvals} {role}s other than {run.StartedBy} must approve ({approvals.Count} of {gate.Approvals} so far" +
            (approvals.Count == 0 ? "" : $": {string.Join(", ", approvals.Select(a => a.DisplayName))}") + $"; {left} still needed; any rejection ends it)";
    }

    /// <summary>The facts the approval is bound to, one line, and (destructive) what must be typed.</summary>
    public static IEnumerable<CardBlock> Blocks(RunRecord run, RunbookDefinition definition, StepDefinition gate)
    {
        if (gate.Kind != StepKind.Gate)
            yield break;
        var facts = GateFacts.Of(run, definition, gate.Id);
        yield return new TextBlock($"Approving binds to these facts (measured again at your click; if they changed, the gate is asked again): " +
            string.Join(" · ", facts.Facts.Select(f => $"{f.Key} {f.Shown}")), Subtle: true);
        if (gate.Destructive)
            yield return new TextBlock($"**This cannot be undone.** Type **{run.Region}** in the box to approve.");
    }

    /// <summary>The box a destructive gate's approver types the target region in.</summary>
    public static IEnumerable<CardInput> Inputs(RunRecord run, StepDefinition gate)
    {
        if (gate.Kind == StepKind.Gate && gate.Destructive)
            yield return new CardInput(CardVerbs.Confirm, $"Type {run.Region} to approve", run.Region, AskedInDialog: true);
    }

    /// <summary>Adds the facts digest (and, destructive, the name to type) to the Approve/Reject button data.</summary>
    public static void AddTo(Dictionary<string, string> data, RunRecord run, RunbookDefinition definition, StepDefinition gate)
    {
        if (gate.Kind != StepKind.Gate)
            return;
        data[CardVerbs.Facts] = GateFacts.Of(run, definition, gate.Id).Digest;
        if (gate.Destructive)
            data[CardVerbs.ConfirmTarget] = run.Region;
    }

    /// <summary>The card stamp of one approver's approval of an N-of-M gate; null for any other decision.</summary>
    public static string? ApprovalStamp(GateDecision decision, RunRecord run)
    {
        if (ApprovalKeys.GateOf(decision.StepId) is not { } stepId)
            return null;
        var gate = run.Step(stepId)?.Title ?? stepId;
        var ask = decision.StepId[(stepId.Length + ApprovalKeys.Marker.Length)..].Split(':')[0];
        var current = ask == Math.Max(1, run.Step(stepId)?.Attempts ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"☑ Approval {(current ? "counted" : "dropped (the gate was asked again)")} from {decision.DisplayName} ({decision.Channel}) at {Durations.Clock(decision.DecidedAt)}: {gate}" +
            (string.IsNullOrWhiteSpace(decision.Reason) ? "" : $" — “{decision.Reason}”");
    }
}
