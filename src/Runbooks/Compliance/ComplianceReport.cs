using System.Globalization;
using System.Text;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Kpis;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.PostMortems;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Compliance;

/// <summary>One failover as evidence: who started it, who approved which gate, the outcome and the measured RTO/RPO.</summary>
public sealed record FailoverEvidence(
    string RunId,
    string Runbook,
    string Region,
    string? IncidentId,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Outcome,
    IReadOnlyList<GateDecision> Approvals,
    TimeSpan? Rto,
    TimeSpan? RtoTarget,
    TimeSpan? Rpo,
    TimeSpan? RpoTarget);

/// <summary>
/// Evidence for SOC 2 / ISO 27001 from the store over [From, To): drills and their results,
/// failovers with approvals and measured RTO/RPO, backup and consistency tests, and the audit
/// chain's verification.
/// </summary>
public sealed record ComplianceReport(
    DateTimeOffset From,
    DateTimeOffset To,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ExerciseRecord> Drills,
    IReadOnlyList<FailoverEvidence> Failovers,
    IReadOnlyList<ExerciseRecord> BackupTests,
    AuditVerification Audit,
    int AuditEntriesInPeriod)
{
    public static ComplianceReport Build(
        DateTimeOffset from, DateTimeOffset to, DateTimeOffset now,
        IReadOnlyList<ExerciseRecord> exercises, IReadOnlyList<RunRecord> runs, IReadOnlyDictionary<string, IReadOnlyList<GateDecision>> decisions,
        IReadOnlyList<Incident> incidents, IReadOnlyList<AuditEntry> audit, TierPolicy tiers)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        bool In(DateTimeOffset at) => at >= from && at < to;
        var inPeriod = exercises.Where(e => In(e.StartedAt)).ToList();
        var byIncident = incidents.ToDictionary(i => i.Id, StringComparer.OrdinalIgnoreCase);
        var failovers = runs.Where(r => !r.Practice && KpiCalculator.FailoverRunbooks.Contains(r.Runbook) && In(r.StartedAt)).OrderBy(r => r.StartedAt).Select(r =>
        {
            IncidentMetrics? m = r.IncidentId is not null && byIncident.TryGetValue(r.IncidentId, out var incident) ? tiers.Measure(incident, incident.ResolvedAt ?? now) : null;
            return new FailoverEvidence(r.Id, r.Runbook, r.Region, r.IncidentId, r.StartedBy, r.StartedAt, r.EndedAt, r.Outcome.ToString().ToLowerInvariant(),
                decisions.GetValueOrDefault(r.Id) ?? [], m?.MeasuredRto, m?.RtoTarget, m?.MeasuredRpo, m?.RpoTarget);
        }).ToList();
        return new ComplianceReport(from, to, now,
            inPeriod.Where(e => ExerciseKinds.ChaosScenarios.Contains(e.Kind)).ToList(),
            failovers,
            inPeriod.Where(e => ExerciseKinds.Validations.Contains(e.Kind)).ToList(),
            AuditChain.Verify(audit),
            audit.Count(a => In(a.At)));
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Disaster-recovery compliance evidence, {Day(From)} to {Day(To)}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Generated {Time(GeneratedAt)} by DrBot from its store. For SOC 2 (CC7.5, A1.3) and ISO 27001 (A.5.29, A.5.30, A.8.13) evidence.\n\n");
        md.Append("## Audit trail\n\n");
        md.Append(CultureInfo.InvariantCulture, $"- Hash chain verification: **{(Audit.Valid ? "intact" : "BROKEN")}**: {Audit.Problem}\n- Entries in the period: {AuditEntriesInPeriod}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"## Drills ({Drills.Count})\n\n");
        Exercises(md, Drills, "No chaos drill in the period.");
        md.Append(CultureInfo.InvariantCulture, $"## Failovers ({Failovers.Count})\n\n");
        if (Failovers.Count == 0)
            md.Append("No failover in the period.\n\n");
        else
        {
            md.Append("| run | runbook → region | incident | started | outcome | approvals | RTO (target) | RPO (target) |\n|---|---|---|---|---|---|---|---|\n");
            foreach (var f in Failovers)
            {
                var approvals = f.Approvals.Count == 0 ? "none" : string.Join("; ", f.Approvals.Select(a => $"{a.StepId} {(a.Approved ? "approved" : "rejected")} by {a.DisplayName} ({a.DecidedBy}) {Time(a.DecidedAt)}"));
                md.Append(CultureInfo.InvariantCulture, $"| {f.RunId} | {f.Runbook} → {f.Region} | {f.IncidentId ?? "—"} | {Time(f.StartedAt)} by {f.StartedBy} | {f.Outcome} | {Cell(approvals)} | {PostMortemDraft.Span(f.Rto)} ({PostMortemDraft.Span(f.RtoTarget)}) | {PostMortemDraft.Span(f.Rpo)} ({PostMortemDraft.Span(f.RpoTarget)}) |\n");
            }
            md.Append('\n');
        }
        md.Append(CultureInfo.InvariantCulture, $"## Backup and consistency tests ({BackupTests.Count})\n\n");
        Exercises(md, BackupTests, "No backup-restore or data-consistency test in the period.");
        return md.ToString();
    }

    private static void Exercises(StringBuilder md, IReadOnlyList<ExerciseRecord> records, string none)
    {
        if (records.Count == 0)
        {
            md.Append(none).Append("\n\n");
            return;
        }
        md.Append("| id | exercise | region | started | result | criteria |\n|---|---|---|---|---|---|\n");
        foreach (var e in records)
        {
            var criteria = e.Criteria.Count == 0 ? "—" : string.Join("; ", e.Criteria.Select(c => $"{(c.Passed ? "pass" : "FAIL")} {c.Name}: {c.Measured}"));
            md.Append(CultureInfo.InvariantCulture, $"| {e.Id} | {e.Kind} ({e.Mode}) | {e.Region ?? "—"} | {Time(e.StartedAt)} by {e.StartedBy} | {e.Status.ToString().ToLowerInvariant()} | {Cell(criteria)} |\n");
        }
        md.Append('\n');
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
