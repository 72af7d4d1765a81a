using static DrBot.Bot.Cards.BlockKit.BlockKitLimits;

namespace DrBot.Bot.Cards.BlockKit;

/// <summary>A runbook's steps as mrkdwn lines with a status emoji, split over as many sections as the text needs.</summary>
internal static class BlockKitSteps
{
    public static string Emoji(StepLineStatus status) => status switch
    {
        StepLineStatus.Done => ":white_check_mark:",
        StepLineStatus.Running => ":hourglass_flowing_sand:",
        StepLineStatus.Waiting => ":double_vertical_bar:",
        StepLineStatus.Failed => ":x:",
        StepLineStatus.Skipped => ":black_right_pointing_double_triangle_with_vertical_bar:",
        StepLineStatus.Rejected => ":no_entry:",
        StepLineStatus.Compensated => ":leftwards_arrow_with_hook:",
        StepLineStatus.Cancelled => ":heavy_multiplication_x:",
        _ => ":white_circle:",
    };

    public static string Line(StepLine step)
    {
        var line = $"{Emoji(step.Status)} *{SlackMrkdwn.Escape(step.Title)}*";
        if (!string.IsNullOrWhiteSpace(step.Elapsed))
        {
            line += $" · {SlackMrkdwn.Escape(step.Elapsed)}";
        }
        if (!string.IsNullOrWhiteSpace(step.Detail))
        {
            line += $" — {SlackMrkdwn.FromCardText(step.Detail, SectionText)}";
        }
        return line;
    }

    public static IEnumerable<RenderedBlock> Render(StepsBlock steps)
    {
        var lines = steps.Steps.Select(Line).ToList();
        foreach (var chunk in SlackMrkdwn.ChunkLines(lines, SectionText))
        {
            yield return new RenderedBlock(BlockKitRenderer.Section(chunk), chunk.Count(c => c == '\n') + 1);
        }
    }
}
