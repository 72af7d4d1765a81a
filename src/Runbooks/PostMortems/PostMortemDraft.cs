using System.Globalization;
using System.Text;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.PostMortems;

/// <summary>What a post-mortem draft is written from: the incident, its runs and their gate decisions.</summary>
public sealed record PostMortemSources(
    Incident Incident,
    IncidentMetrics Metrics,
    IReadOnlyList<RunRecord> Runs,
    IReadOnlyList<GateDecision> Decisions,
    PostMortemRecord Record);

/// <summary>
/// Writes the post-mortem draft in Markdown from the record: summary, impact, recovery objectives
/// against the tier target, the whole timeline (incident events, runbook steps, gate decisions),
/// approvals and action items derived from what went wrong. People edit it and publish it elsewhere.
/// </summary>
public static class PostMortemDraft
{
    public static string Render(PostMortemSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var (incident, metrics) = (sources.Incident, sources.Metrics);
        var md = new StringBuilder();
        md.Line($"# Post-mortem {incident.Id}: {Cell(incident.Title)}");
        md.Line();
        md.Line(sources.Record.IsPublished
            ? $"Status: **published** at {sources.Record.PublishedUrl} by {sources.Record.PublishedBy} ({Time(sources.Record.PublishedAt)})."
            : $"Status: **draft**, due {Time(sources.Record.DueAt)} (48 hours after closing). Mark it published with `postmortem published {incident.Id} <url>`.");
        md.Line();
        md.Line("## Summary");
        md.Line();
        md.Line($"- Severity: {incident.Severity}; tier: {metrics.Tier}; region: {incident.Region ?? "none recorded"}");
        md.Line($"- Opened {Time(incident.OpenedAt)} by {incident.OpenedBy}; commander: {incident.Commander ?? "none named"}");
        md.Line($"- Failure started: {Time(incident.FailureStartedAt)}; detected: {Time(incident.DetectedAt)}; acknowledged: {Time(incident.AcknowledgedAt)}");
        md.Line($"- Failover completed: {Time(incident.FailoverCompletedAt)}; resolved: {Time(incident.ResolvedAt)}; closed: {Time(incident.ClosedAt)}");
        md.Line();
        md.Line("## Impact");
        md.Line();
        md.Line($"- Services: {(incident.Services.Count == 0 ? "not recorded" : string.Join(", ", incident.Services))}");
        md.Line($"- Outage duration (failure start to resolution): {Span(metrics.Elapsed)}");
        md.Line($"- Data-loss window (RPO): {Span(metrics.MeasuredRpo)}");
        md.Line();
        md.Line("## Recovery objectives");
        md.Line();
        md.Line("| measure | measured | target | verdict |");
        md.Line("|---|---|---|---|");
        md.Line($"| RTO | {Span(metrics.MeasuredRto)} | {Span(metrics.RtoTarget)} | {Verdict(metrics.RtoMet)} |");
        md.Line($"| RPO | {Span(metrics.MeasuredRpo)} | {Span(metrics.RpoTarget)} | {Verdict(metrics.RpoMet)} |");
        md.Line($"| time to detect | {Span(metrics.TimeToDetect)} | | |");
        md.Line($"| time to acknowledge | {Span(metrics.TimeToAcknowledge)} | | |");
        md.Line($"| time to failover | {Span(metrics.TimeToFailover)} | | |");
        md.Line();
        md.Line("## Timeline");
        md.Line();
        md.Line("| time (UTC) | what | who |");
        md.Line("|---|---|---|");
        foreach (var entry in Timeline(sources))
            md.Line($"| {entry.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} | {Cell(entry.Text)} | {Cell(entry.Who)} |");
        md.Line();
        md.Line("## Approvals");
        md.Line();
        if (sources.Decisions.Count == 0)
            md.Line("No approval gate was decided in this incident.");
        else
        {
            md.Line("| run | gate | decision | by | at | reason |");
            md.Line("|---|---|---|---|---|---|");
            foreach (var d in sources.Decisions.OrderBy(d => d.DecidedAt))
                md.Line($"| {d.RunId} | {Cell(d.StepId)} | {(d.Approved ? "approved" : "rejected")} | {Cell(d.DisplayName)} ({d.DecidedBy}) | {Time(d.DecidedAt)} | {Cell(d.Reason ?? "")} |");
        }
        md.Line();
        md.Line("## Action items");
        md.Line();
        foreach (var item in ActionItems(sources))
            md.Line($"- [ ] {item}");
        return md.ToString();
    }

    private sealed record Entry(DateTimeOffset At, string Text, string Who);

    /// <summary>Incident events, runbook steps (start and end) and gate decisions, in time order.</summary>
    private static IEnumerable<Entry> Timeline(PostMortemSources sources)
    {
        var entries = sources.Incident.Timeline.Select(e => new Entry(e.At, e.Text, e.Actor ?? "")).ToList();
        foreach (var run in sources.Runs)
        {
            entries.Add(new Entry(run.StartedAt, $"Run {run.Id} started: {run.Runbook} → {run.Region}", run.StartedBy));
            foreach (var step in run.Steps.Where(s => s.StartedAt is not null || s.EndedAt is not null))
            {
                var detail = string.IsNullOrWhiteSpace(step.Detail) ? "" : $": {step.Detail}";
                entries.Add(new Entry(step.EndedAt ?? step.StartedAt!.Value, $"{run.Id} step \"{step.Title}\" {step.Status.ToString().ToLowerInvariant()}{detail}", "DrBot"));
            }
            if (run.EndedAt is { } ended)
                entries.Add(new Entry(ended, $"Run {run.Id} ended {run.Outcome.ToString().ToLowerInvariant()}{(run.OutcomeReason is null ? "" : $": {run.OutcomeReason}")}", "DrBot"));
        }
        foreach (var d in sources.Decisions)
            entries.Add(new Entry(d.DecidedAt, $"Gate {d.StepId} of {d.RunId} {(d.Approved ? "approved" : "rejected")}{(d.Reason is null ? "" : $": {d.Reason}")}", $"{d.DisplayName} ({d.DecidedBy})"));
        return entries.OrderBy(e => e.At);
    }

    /// <summary>Action items the record itself calls for; the team adds the rest.</summary>
    public static IReadOnlyList<string> ActionItems(PostMortemSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var (incident, metrics) = (sources.Incident, sources.Metrics);
        var items = new List<string>();
        if (metrics.RtoMet == false)
            items.Add($"Find why recovery took {Span(metrics.MeasuredRto)} against the {metrics.Tier} RTO of {Span(metrics.RtoTarget)}, and shorten it.");
        if (metrics.RpoMet == false)
            items.Add($"Find why {Span(metrics.MeasuredRpo)} of data was lost against the {metrics.Tier} RPO of {Span(metrics.RpoTarget)} (replication lag, backups).");
        if (incident.FailoverCompletedAt is null && incident.RunIds.Count > 0)
            items.Add("No failover completed although a runbook ran: review why it did not finish.");
        foreach (var run in sources.Runs)
            foreach (var step in run.Steps.Where(s => s.Status is StepStatus.Failed or StepStatus.CompensationFailed))
                items.Add($"Fix the step \"{step.Title}\" of {run.Runbook} ({run.Id}) that failed: {step.Detail ?? "no detail"}.");
        foreach (var d in sources.Decisions.Where(d => !d.Approved))
            items.Add($"Review why {d.DisplayName} rejected {d.StepId} of {d.RunId}{(d.Reason is null ? "" : $" (\"{d.Reason}\")")}.");
        if (incident.Timeline.Any(e => e.Kind == "escalation"))
            items.Add("Review the response: the incident was escalated before anyone acknowledged it.");
        if (incident.FailureStartedAt is null)
            items.Add("Record when the failure really began, so time to detect can be measured next time (monitoring coverage).");
        items.Add("Root cause: (to be written by the team)");
        items.Add("Preventive measures, each with an owner and a date: (to be written by the team)");
        return items;
    }

    private static string Verdict(bool? met) => met switch { true => "met", false => "missed", null => "not measured" };

    private static string Time(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>A table cell must not break the table: no pipes, no line breaks.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    public static string Span(TimeSpan? span) => span switch
    {
        null => "—",
        { TotalHours: >= 1 } d => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalHours} h {d.Minutes:00} min"),
        { TotalMinutes: >= 1 } d => string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes} min {d.Seconds:00} s"),
        { } d => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, d.TotalSeconds):0} s"),
    };

    private static void Line(this StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
