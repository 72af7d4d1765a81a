using DrBot.Bot.Cards;
using DrBot.Runbooks.Preflight;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Preflight;

/// <summary>
/// What the pre-flight and practice add to a runbook card, kept apart from the card itself: a practice
/// run is marked as one (title, banner, the Approve confirmation), and a real run waiting at a gate
/// shows the last pre-flight of its runbook and target in one line.
/// </summary>
public static class RunCardAdditions
{
    public const string PracticeBanner = "**Practice run:** every action is only verified and described (\"would …\"); nothing changes on any system. Gates are decided as in a real run.";

    public static async Task<CardDocument> AddAsync(CardDocument card, RunRecord run, PreflightRecorder? preflight, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (run.Practice)
        {
            return card with
            {
                Title = $"🧪 Practice: {card.Title}",
                FallbackText = $"Practice: {card.FallbackText}",
                Blocks = [new TextBlock(PracticeBanner), .. card.Body],
                Buttons = [.. card.Actions.Select(b => b.Confirm is { } c ? b with { Confirm = c with { Text = c.Text.Replace("This changes production.", "Practice: nothing changes.", StringComparison.Ordinal) } } : b)],
            };
        }
        if (preflight is null || run.PendingGate() is null)
            return card;
        var last = await preflight.LastAsync(cancellationToken);
        var line = PreflightCards.ApprovalLine(last?.For(run.Runbook, run.Region), last?.At, now);
        return card with { Blocks = [.. card.Body, new ContextBlock(line)] };
    }
}
