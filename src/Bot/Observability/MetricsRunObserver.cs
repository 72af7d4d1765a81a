using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Observability;

/// <summary>
/// Feeds the histograms from run changes and records each finished step as a span of the
/// <c>DrBot.Runbooks</c> activity source with its real start and end times. A projection that causes
/// no message: the engine asks it as it commits each change.
/// </summary>
public sealed class MetricsRunObserver(DrBotMetrics metrics, IncidentService incidents) : IRunProjection
{
    public async Task<IReadOnlyList<OutboxMessage>> ProjectAsync(RunRecord run, RunChange change, CancellationToken cancellationToken)
    {
        await ObserveAsync(run, change, cancellationToken);
        return [];
    }

    private async Task ObserveAsync(RunRecord run, RunChange change, CancellationToken cancellationToken)
    {
        var step = change.StepId is null ? null : run.Step(change.StepId);
        switch (change.Kind)
        {
            case RunChangeKind.StepFinished when step is { StartedAt: { } started, EndedAt: { } ended }:
                metrics.StepDuration.WithLabels(run.Runbook, step.StepId, step.Status.ToString().ToLowerInvariant()).Observe((ended - started).TotalSeconds);
                DrBotTracing.RecordStep(run, step, started, ended);
                break;
            case RunChangeKind.GateDecided when step is { StartedAt: { } opened, EndedAt: { } decided }:
                metrics.ApprovalWait.WithLabels(run.Runbook, step.Status.ToString().ToLowerInvariant()).Observe((decided - opened).TotalSeconds);
                break;
            case RunChangeKind.Finished when run.Practice:
                break; // a practice is no run of the runbook in the metrics; the KPIs count it as a practice
            case RunChangeKind.Finished:
                metrics.RunsFinished.WithLabels(run.Runbook, run.Outcome.ToString().ToLowerInvariant()).Inc();
                if (run.Outcome == RunOutcome.Succeeded && run.Runbook != "failback" && run.IncidentId is { } id && run.EndedAt is { } end
                    && await incidents.GetAsync(id, cancellationToken) is { } incident)
                {
                    var failureStart = incident.FailureStartedAt ?? incident.DetectedAt ?? incident.OpenedAt;
                    metrics.Rto.WithLabels(run.Runbook, incident.Tier).Observe(Math.Max(0, (end - failureStart).TotalSeconds));
                    if (run.Facts.TryGetValue("rpo_seconds", out var rpo) && double.TryParse(rpo, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                        metrics.Rpo.WithLabels(run.Runbook, incident.Tier).Observe(seconds);
                }
                break;
        }
    }
}
