using DrBot.Bot.Cards;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Views;

/// <summary>
/// A run whose step runs another runbook shows that child run inside its own card: the child's steps,
/// its pending gate and that gate's buttons, which carry the child's run id, step id and version, so
/// deciding it from the parent's card is deciding the child's gate (the same rules: role, four-eyes,
/// a current card). The child posts no card of its own.
/// </summary>
public static class ComposedRunCard
{
    public static CardDocument WithChild(CardDocument parent, CardDocument child, RunRecord childRun)
    {
        var blocks = parent.Body.ToList();
        var at = blocks.FindLastIndex(b => b is ContextBlock);
        if (at < 0)
            at = blocks.Count;
        var childBlocks = new List<CardBlock> { new TextBlock($"**▶ Child run {childRun.Id}: {child.Title}**, run by this runbook; its gates are decided on this card.") };
        childBlocks.AddRange(child.Body.Where(b => b is not FactsBlock and not ContextBlock));
        childBlocks.Add(new ContextBlock($"Child run {childRun.Id} · version {childRun.Version}"));
        blocks.InsertRange(at, childBlocks);
        var waiting = childRun.PendingGate() is not null;
        return parent with
        {
            FallbackText = waiting ? $"{parent.Title}: {child.FallbackText}" : parent.FallbackText,
            Tone = waiting ? CardTone.Warning : parent.Tone,
            Blocks = blocks,
            Inputs = [.. parent.InputFields, .. child.InputFields.Where(i => parent.InputFields.All(p => p.Id != i.Id))],
            Buttons = [.. parent.Actions, .. child.Actions],
            Refresh = child.Refresh ?? parent.Refresh,
        };
    }
}
