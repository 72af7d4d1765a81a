using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Kpis;

/// <summary>
/// Computes the KPIs from the record: incidents (RTO/RPO, time to recover, time to detect),
/// failover runs (success rate) and archived exercises (drill RTO/RPO, backup tests, last runs).
/// </summary>
public static class KpiCalculator
{
    /// <summary>The runbooks whose runs count as failovers.</summary>
    public static readonly IReadOnlyList<string> FailoverRunbooks = ["region-failover", "database-failover", "application-failover"];

    public static KpiReport Compute(
        KpiPeriod period,
        IReadOnlyList<Incident> incidents,
        IReadOnlyList<RunRecord> runs,
        IReadOnlyList<ExerciseRecord> exercises,
        TierPolicy tiers)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(tiers);
        var inPeriod = incidents.Where(i => period.Contains(i.OpenedAt)).ToList();
        var recoveries = new List<RecoveryPoint>();
        foreach (var incident in inPeriod.Where(i => i.FailoverCompletedAt is not null || i.MeasuredRpo is not null))
        {
            var m = tiers.Measure(incident, incident.ResolvedAt ?? period.To);
            recoveries.Add(new RecoveryPoint("incident", incident.Id, incident.FailoverCompletedAt ?? incident.OpenedAt, m.Tier, m.MeasuredRto, m.RtoTarget, m.MeasuredRpo, m.RpoTarget));
        }
        var drills = exercises.Where(e => period.Contains(e.StartedAt)).ToList();
        foreach (var drill in drills.Where(d => d.IsFinished && (d.MeasuredRto is not null || d.MeasuredRpo is not null)))
        {
            var tier = tiers.Find(drill.Tier) ?? tiers.Get(tiers.Names[0]);
            recoveries.Add(new RecoveryPoint("drill", drill.Id, drill.EndedAt ?? drill.StartedAt, tiers.Normalize(drill.Tier) ?? tiers.Names[0], drill.MeasuredRto, tier.Rto, drill.MeasuredRpo, tier.Rpo));
        }

        // A practice run changes nothing: it is counted as a practice, never as a failover.
        var failovers = runs.Where(r => !r.Practice && FailoverRunbooks.Contains(r.Runbook) && r.EndedAt is { } end && period.Contains(end)).ToList();
        var practices = runs.Where(r => r.Practice && r.EndedAt is { } end && period.Contains(end)).ToList();
        var succeeded = failovers.Count(r => r.Outcome == RunOutcome.Succeeded);
        // A rejected or cancelled run is a human decision, not a failed failover.
        var finished = failovers.Count(r => r.Outcome is RunOutcome.Succeeded or RunOutcome.Failed or RunOutcome.RolledBack);

        var recovered = inPeriod.Where(i => i.ResolvedAt is not null).Select(i => i.ResolvedAt!.Value - (i.FailureStartedAt ?? i.OpenedAt)).ToList();
        var detected = inPeriod.Where(i => i.FailureStartedAt is not null && i.DetectedAt is not null).Select(i => i.DetectedAt!.Value - i.FailureStartedAt!.Value).ToList();
        var backups = drills.Where(d => d.Kind == ExerciseKinds.BackupRestore && d.IsFinished).ToList();
        var last = ExerciseKinds.All.Select(kind =>
        {
            // The last run ever, not only in the period: "when did we last test this" has no window.
            var latest = exercises.Where(e => e.Kind == kind).MaxBy(e => e.StartedAt);
            return new LastExercise(kind, latest?.StartedAt, latest?.Id, latest?.Status.ToString().ToLowerInvariant());
        }).ToList();

        return new KpiReport(period, inPeriod.Count, recoveries.OrderBy(r => r.At).ToList(), succeeded, finished,
            Mean(recovered), recovered.Count, Mean(detected), detected.Count,
            backups.Count(b => b.Status == ExerciseStatus.Passed), backups.Count, last)
        {
            PracticesSucceeded = practices.Count(r => r.Outcome == RunOutcome.Succeeded),
            PracticesFinished = practices.Count,
        };
    }

    private static TimeSpan? Mean(IReadOnlyList<TimeSpan> spans) =>
        spans.Count == 0 ? null : TimeSpan.FromTicks((long)spans.Average(s => s.Ticks));
}
