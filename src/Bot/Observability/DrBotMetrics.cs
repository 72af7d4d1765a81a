using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Application;
using DrBot.Bot.Views;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Storage;
using Prometheus;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Observability;

/// <summary>
/// The bot's Prometheus metrics (prometheus-net), in a registry of this host's own so several hosts in
/// one process (tests) do not share state. Gauges are read from the store at scrape time (so every
/// replica reports the shared truth); counters and histograms are what this replica observed.
/// Names follow Prometheus conventions: <c>_total</c> only on counters, base units (seconds).
/// </summary>
public sealed class DrBotMetrics
{
    private static readonly double[] StepBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
    private static readonly double[] WaitBuckets = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
    private static readonly double[] RtoBuckets = [60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
    private static readonly double[] IntakeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    public DrBotMetrics(RunQueries runQueries, IncidentService incidentService, IOutboxStore outbox, IIdempotencyStore idempotency, RunbookCatalog catalog)
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        var runs = factory.CreateGauge("drbot_runs", "Runbook runs on record by outcome (none = still running).", ["outcome"]);
        var gates = factory.CreateGauge("drbot_gates_pending", "Approval gates waiting for a decision.");
        var incidents = factory.CreateGauge("drbot_incidents_open", "Open incidents by severity.", ["severity"]);
        var backlog = factory.CreateGauge("drbot_outbox_backlog", "Posts, updates and outside calls not yet delivered.");
        var deadLetters = factory.CreateGauge("drbot_outbox_dead_letters", "Outbox messages given up on (the most recent 100), by channel.", ["channel"]);
        RunsFinished = factory.CreateCounter("drbot_runs_finished_total", "Runs this replica saw finish, by runbook and outcome.", ["runbook", "outcome"]);
        StepDuration = factory.CreateHistogram("drbot_step_duration_seconds", "Duration of automatic runbook steps.",
            new HistogramConfiguration { LabelNames = ["runbook", "step", "status"], Buckets = StepBuckets });
        ApprovalWait = factory.CreateHistogram("drbot_approval_wait_seconds", "Time from a gate opening to its decision.",
            new HistogramConfiguration { LabelNames = ["runbook", "decision"], Buckets = WaitBuckets });
        Rto = factory.CreateHistogram("drbot_rto_seconds", "Measured recovery time: failure start to a successful failover.",
            new HistogramConfiguration { LabelNames = ["runbook", "tier"], Buckets = RtoBuckets });
        Rpo = factory.CreateHistogram("drbot_rpo_seconds", "Measured data loss window of a successful failover (replication lag at promotion).",
            new HistogramConfiguration { LabelNames = ["runbook", "tier"], Buckets = RtoBuckets.Prepend(30).Prepend(10).Prepend(1).Prepend(0).ToArray() });
        AlertIntake = factory.CreateHistogram("drbot_alert_intake_duration_seconds", "Time to accept an alert webhook delivery (answer included).",
            new HistogramConfiguration { LabelNames = ["source", "code"], Buckets = IntakeBuckets });

        Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            // Counted by the store: a scrape does not load the history of every run.
            foreach (var (outcome, count) in await runQueries.CountByOutcomeAsync(cancellationToken))
                runs.WithLabels(outcome.ToString().ToLowerInvariant()).Set(count);
            // A finished run waits at no gate.
            var unfinished = await runQueries.ListUnfinishedAsync(cancellationToken);
            gates.Set(unfinished.Count(r => RunbookCard.PendingGate(r, catalog.Find(r.Runbook)) is not null));
            var open = await incidentService.ListOpenAsync(cancellationToken);
            foreach (var severity in new[] { "P1", "P2", "P3", "P4" })
                incidents.WithLabels(severity).Set(open.Count(i => i.Severity == severity));
            backlog.Set(await outbox.CountUndeliveredAsync(cancellationToken));
            var dead = await new Outbox.OutboxDeadLetters(idempotency).ListAsync(cancellationToken);
            foreach (var channel in dead.Select(d => d.Channel).Concat(["local", "slack", "teams"]).Distinct(StringComparer.Ordinal))
                deadLetters.WithLabels(channel).Set(dead.Count(d => d.Channel == channel));
        });
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();
    public Counter RunsFinished { get; }
    public Histogram StepDuration { get; }
    public Histogram ApprovalWait { get; }
    public Histogram Rto { get; }
    public Histogram Rpo { get; }
    public Histogram AlertIntake { get; }
}
