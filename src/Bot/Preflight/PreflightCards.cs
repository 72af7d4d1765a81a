using DrBot.Bot.Cards;
using DrBot.Bot.Views;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Preflight;

namespace DrBot.Bot.Preflight;

/// <summary>The pre-flight's cards: the report (per runbook, per step), the warning when a runbook turns not ready, and the approval card's line.</summary>
public static class PreflightCards
{
    public static string Icon(Readiness readiness) => readiness switch
    {
        Readiness.Ready => "✅ ready",
        Readiness.Warning => "⚠ warning",
        _ => "⛔ blocked",
    };

    public static CardDocument Report(PreflightReport report, DateTimeOffset now)
    {
        var worst = report.Runbooks.Count == 0 ? Readiness.Ready : report.Runbooks.Max(r => r.Readiness);
        var blocks = new List<CardBlock>
        {
            new FactsBlock([.. report.Runbooks.Select(r => new Fact($"{r.Runbook} → {r.Region}", $"{Icon(r.Readiness)} ({r.Steps.Count(s => s.Readiness == Readiness.Ready)}/{r.Steps.Count} steps ready)"))]),
        };
        foreach (var runbook in report.Runbooks)
        {
            blocks.Add(new TextBlock($"**{runbook.Title} → {runbook.Region}** (from {runbook.FromRegion ?? "?"}): {Icon(runbook.Readiness)}"));
            blocks.Add(new StepsBlock([.. runbook.Steps.Select(s => new StepLine(s.Title, Line(s.Readiness), null, $"{Icon(s.Readiness)}: {s.Reason}"))]));
        }
        blocks.Add(new ContextBlock($"Pre-flight of {Durations.Clock(report.At)} ({Durations.Format(now - report.At)} ago) · nothing was changed · `preflight` evaluates again"));
        var fallback = $"Pre-flight: {report.Runbooks.Count(r => r.Readiness == Readiness.Ready)} of {report.Runbooks.Count} runbooks ready";
        return new CardDocument($"🛫 Pre-flight: {Icon(worst)}", fallback, Tone(worst), Subtitle: "Every failover runbook checked without changing anything: credentials, targets, capacity, lag, archiving.", Blocks: blocks);
    }

    /// <summary>Posted once when a runbook turns worse (ready → warning/blocked, warning → blocked) or ready again.</summary>
    public static CardDocument Change(ReadinessChange change)
    {
        var now = change.Now;
        var before = change.Before is { } b ? Icon(b) : "not evaluated";
        var title = change.TurnedWorse
            ? $"🛫 {now.Title} → {now.Region} is no longer ready: {Icon(now.Readiness)}"
            : $"🛫 {now.Title} → {now.Region} is {Icon(now.Readiness)} again";
        var blocks = new List<CardBlock> { new TextBlock($"Pre-flight: was {before}, now {Icon(now.Readiness)}. A failover to {now.Region} started now would meet:") };
        blocks.AddRange(now.Problems.Select(p => (CardBlock)new TextBlock($"{Icon(p.Readiness)} {p.Title}: {p.Reason}")));
        if (!now.Problems.Any())
            blocks.Add(new TextBlock("every step ready."));
        blocks.Add(new ContextBlock("`preflight` shows every runbook and step"));
        return new CardDocument(title, $"{title}: {string.Join("; ", now.Problems.Select(p => p.Reason))}", change.TurnedWorse ? Tone(now.Readiness) : CardTone.Good, Blocks: blocks);
    }

    /// <summary>One line for a real run's approval card: what the last pre-flight said about this runbook and target.</summary>
    public static string ApprovalLine(RunbookReadiness? readiness, DateTimeOffset? at, DateTimeOffset now)
    {
        if (readiness is null || at is null)
            return "Last pre-flight: none for this runbook and region yet.";
        var problems = readiness.Problems.Take(2).Select(p => $"{p.Title}: {p.Reason}").ToList();
        return $"Last pre-flight ({Durations.Format(now - at.Value)} ago): {Icon(readiness.Readiness)}" + (problems.Count == 0 ? "" : " — " + string.Join("; ", problems));
    }

    private static StepLineStatus Line(Readiness readiness) => readiness switch
    {
        Readiness.Ready => StepLineStatus.Done,
        Readiness.Warning => StepLineStatus.Waiting,
        _ => StepLineStatus.Failed,
    };

    private static CardTone Tone(Readiness readiness) => readiness switch
    {
        Readiness.Ready => CardTone.Good,
        Readiness.Warning => CardTone.Warning,
        _ => CardTone.Attention,
    };
}
