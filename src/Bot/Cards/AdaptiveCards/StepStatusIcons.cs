namespace DrBot.Bot.Cards.AdaptiveCards;

/// <summary>The icon shown in front of a runbook step, one per <see cref="StepLineStatus"/>.</summary>
public static class StepStatusIcons
{
    public static string For(StepLineStatus status) => status switch
    {
        StepLineStatus.Done => "✅",
        StepLineStatus.Running => "⏳",
        StepLineStatus.Waiting => "⏸",
        StepLineStatus.Failed => "❌",
        StepLineStatus.Skipped => "⏭",
        StepLineStatus.Rejected => "⛔",
        StepLineStatus.Compensated => "↩",
        StepLineStatus.Cancelled => "🚫",
        _ => "•",
    };

    /// <summary>Steps that are finished; the step list is windowed around the first unfinished one.</summary>
    internal static bool IsSettled(StepLineStatus status) =>
        status is StepLineStatus.Done or StepLineStatus.Skipped or StepLineStatus.Compensated;
}
