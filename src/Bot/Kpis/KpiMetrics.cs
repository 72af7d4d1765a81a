using System.Globalization;
using System.Text;
using DrBot.Runbooks.Kpis;

namespace DrBot.Bot.Kpis;

/// <summary>The KPIs on <c>/metrics</c> (all time): RTO/RPO histograms per tier and source, failover counts, means, backup and drill figures.</summary>
public static class KpiMetrics
{
    private static readonly double[] Buckets = [60, 300, 900, 1800, 3600, 14400, 86400];

    public static string Render(KpiReport report)
    {
        var text = new StringBuilder();
        Histogram(text, "drbot_recovery_rto_seconds", "Measured RTO of incidents and drills, by tier and source.", report.Recoveries.Where(r => r.Rto is not null).Select(r => (r.Tier, r.Source, r.Rto!.Value.TotalSeconds)));
        Histogram(text, "drbot_recovery_rpo_seconds", "Measured data-loss window (RPO) of incidents and drills, by tier and source.", report.Recoveries.Where(r => r.Rpo is not null).Select(r => (r.Tier, r.Source, r.Rpo!.Value.TotalSeconds)));
        text.AppendLine("# HELP drbot_recovery_objective_met_total Recoveries that met their tier's target, by objective.");
        text.AppendLine("# TYPE drbot_recovery_objective_met_total counter");
        Line(text, "drbot_recovery_objective_met_total{objective=\"rto\"}", report.Recoveries.Count(r => r.RtoMet == true));
        Line(text, "drbot_recovery_objective_met_total{objective=\"rpo\"}", report.Recoveries.Count(r => r.RpoMet == true));
        text.AppendLine("# HELP drbot_failovers_total Finished failover runs (rejected and cancelled runs are not counted).");
        text.AppendLine("# TYPE drbot_failovers_total counter");
        Line(text, "drbot_failovers_total{result=\"succeeded\"}", report.FailoversSucceeded);
        Line(text, "drbot_failovers_total{result=\"failed\"}", report.FailoversFinished - report.FailoversSucceeded);
        text.AppendLine("# HELP drbot_practice_runs_total Finished practice runs (--practice: nothing changed), by result; not failovers.");
        text.AppendLine("# TYPE drbot_practice_runs_total counter");
        Line(text, "drbot_practice_runs_total{result=\"succeeded\"}", report.PracticesSucceeded);
        Line(text, "drbot_practice_runs_total{result=\"other\"}", report.PracticesFinished - report.PracticesSucceeded);
        text.AppendLine("# HELP drbot_mean_time_to_recovery_seconds Mean time from failure start to resolution of resolved incidents.");
        text.AppendLine("# TYPE drbot_mean_time_to_recovery_seconds gauge");
        if (report.MeanTimeToRecovery is { } mttr)
            Line(text, "drbot_mean_time_to_recovery_seconds", mttr.TotalSeconds);
        text.AppendLine("# HELP drbot_mean_time_to_detect_seconds Mean time from failure start to detection.");
        text.AppendLine("# TYPE drbot_mean_time_to_detect_seconds gauge");
        if (report.MeanTimeToDetect is { } ttd)
            Line(text, "drbot_mean_time_to_detect_seconds", ttd.TotalSeconds);
        text.AppendLine("# HELP drbot_backup_tests_total Finished backup-restore validations by result.");
        text.AppendLine("# TYPE drbot_backup_tests_total counter");
        Line(text, "drbot_backup_tests_total{result=\"passed\"}", report.BackupsSucceeded);
        Line(text, "drbot_backup_tests_total{result=\"failed\"}", report.BackupsTotal - report.BackupsSucceeded);
        text.AppendLine("# HELP drbot_exercise_last_run_timestamp_seconds When each drill or validation last ran (absent: never).");
        text.AppendLine("# TYPE drbot_exercise_last_run_timestamp_seconds gauge");
        foreach (var last in report.LastExercises.Where(l => l.At is not null))
            Line(text, $"drbot_exercise_last_run_timestamp_seconds{{kind=\"{last.Kind}\"}}", last.At!.Value.ToUnixTimeSeconds());
        return text.ToString();
    }

    private static void Histogram(StringBuilder text, string name, string help, IEnumerable<(string Tier, string Source, double Seconds)> values)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"# HELP {name} {help}");
        text.AppendLine(CultureInfo.InvariantCulture, $"# TYPE {name} histogram");
        foreach (var group in values.GroupBy(v => (v.Tier, v.Source)).OrderBy(g => g.Key.Tier, StringComparer.Ordinal).ThenBy(g => g.Key.Source, StringComparer.Ordinal))
        {
            var labels = $"tier=\"{group.Key.Tier}\",source=\"{group.Key.Source}\"";
            foreach (var bucket in Buckets)
                Line(text, $"{name}_bucket{{{labels},le=\"{bucket.ToString(CultureInfo.InvariantCulture)}\"}}", group.Count(v => v.Seconds <= bucket));
            Line(text, $"{name}_bucket{{{labels},le=\"+Inf\"}}", group.Count());
            Line(text, $"{name}_sum{{{labels}}}", group.Sum(v => v.Seconds));
            Line(text, $"{name}_count{{{labels}}}", group.Count());
        }
    }

    private static void Line(StringBuilder text, string series, double value) =>
        text.Append(series).Append(' ').Append(value.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
}
