using System.Globalization;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Bot.Views;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Commands;

/// <summary>
/// Typed <c>approve</c>/<c>reject</c> must name the gate (<c>approve run-3 approve-failover [reason]</c>);
/// otherwise the answer shows the gate's title with a confirm button carrying the run's version,
/// so nobody decides a gate that changed since they last looked.
/// </summary>
public static class TypedDecision
{
    /// <summary>The reason left after the gate id when the words start with it; null when the gate is not named.</summary>
    public static string? NamedGate(string? words, string gateId)
    {
        var text = (words ?? "").Trim();
        var first = text.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        return first.Length > 0 && string.Equals(first[0], gateId, StringComparison.OrdinalIgnoreCase)
            ? (first.Length > 1 ? first[1].Trim() : "")
            : null;
    }

    public static ChatReply Confirm(RunRecord run, RunbookDefinition definition, StepDefinition gate, bool approve, string? reason)
    {
        var verb = approve ? CardVerbs.Approve : CardVerbs.Reject;
        var title = run.Step(gate.Id)?.Title ?? gate.Title;
        var data = new Dictionary<string, string>
        {
            [CardVerbs.RunId] = run.Id,
            [CardVerbs.StepId] = gate.Id,
            [CardVerbs.Version] = run.Version.ToString(CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrWhiteSpace(reason))
            data[CardVerbs.Reason] = reason;
        // The confirm button is bound to the facts shown here, like the runbook card's.
        GateApprovalView.AddTo(data, run, definition, gate);
        var destructive = approve && gate.Destructive;
        var text = $"{run.Id} ({run.Runbook} → {run.Region}) waits at \"{title}\" ({gate.Id}). " + (destructive
            ? $"It cannot be undone: type {run.Region} in the box and click Confirm approval (a typed approve is not enough)."
            : $"Click {(approve ? "Confirm approval" : "Confirm rejection")} or type `{verb} {run.Id} {gate.Id} [reason]`.");
        var card = new CardDocument($"{(approve ? "Approve" : "Reject")} \"{title}\"?", text,
            Blocks: [new TextBlock(text), .. approve ? GateApprovalView.Blocks(run, definition, gate) : []],
            Inputs: approve ? [.. GateApprovalView.Inputs(run, gate)] : null,
            Buttons: [new CardButton(approve ? "Confirm approval" : "Confirm rejection", verb, data, approve ? ButtonStyle.Positive : ButtonStyle.Destructive)]);
        return new ChatReply(text, Private: true, card);
    }
}
