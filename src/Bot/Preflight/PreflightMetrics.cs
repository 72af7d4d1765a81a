using System.Globalization;
using System.Text;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Preflight;

namespace DrBot.Bot.Preflight;

/// <summary>The last pre-flight on <c>/metrics</c>, read from the store so every replica reports the same.</summary>
public static class PreflightMetrics
{
    public static string Render(PreflightReport? report)
    {
        var text = new StringBuilder();
        text.AppendLine("# HELP drbot_preflight_ready Whether the last pre-flight found the runbook ready towards the region (1) or not (0).");
        text.AppendLine("# TYPE drbot_preflight_ready gauge");
        foreach (var r in report?.Runbooks ?? [])
            Line(text, $"drbot_preflight_ready{{{Labels(r)}}}", r.Readiness == Readiness.Ready ? 1 : 0);
        text.AppendLine("# HELP drbot_preflight_status The last pre-flight's verdict per runbook and region: 0 ready, 1 warning, 2 blocked.");
        text.AppendLine("# TYPE drbot_preflight_status gauge");
        foreach (var r in report?.Runbooks ?? [])
            Line(text, $"drbot_preflight_status{{{Labels(r)}}}", (int)r.Readiness);
        text.AppendLine("# HELP drbot_preflight_steps Steps of the runbook by the last pre-flight's verdict.");
        text.AppendLine("# TYPE drbot_preflight_steps gauge");
        foreach (var r in report?.Runbooks ?? [])
            foreach (var readiness in Enum.GetValues<Readiness>())
                Line(text, $"drbot_preflight_steps{{{Labels(r)},readiness=\"{readiness.ToString().ToLowerInvariant()}\"}}", r.Steps.Count(s => s.Readiness == readiness));
        text.AppendLine("# HELP drbot_preflight_last_run_timestamp_seconds When the last pre-flight ran (absent: never).");
        text.AppendLine("# TYPE drbot_preflight_last_run_timestamp_seconds gauge");
        if (report is not null)
            Line(text, "drbot_preflight_last_run_timestamp_seconds", report.At.ToUnixTimeSeconds());
        return text.ToString();
    }

    // Runbook and region names come from configuration (validated names), never from chat.
    private static string Labels(RunbookReadiness r) => $"runbook=\"{r.Runbook}\",region=\"{r.Region}\"";

    private static void Line(StringBuilder text, string series, double value) =>
        text.Append(series).Append(' ').Append(value.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
}
