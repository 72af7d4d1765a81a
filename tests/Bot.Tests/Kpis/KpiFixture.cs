using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Kpis;

/// <summary>
/// A known record to compute KPIs from, written into a real store: four incidents (one outside a
/// 30-day window), four failover runs, three backup tests and one region-failure drill.
/// </summary>
public static class KpiFixture
{
    public static async Task WriteAsync(IDrBotStore store, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var t1 = now - TimeSpan.FromDays(10);
        var t2 = now - TimeSpan.FromDays(5);
        var t3 = now - TimeSpan.FromDays(2);
        // critical: RTO 12 min (met), RPO 2 min (met), detected after 2 min, recovered in 30 min.
        await store.SaveIncidentAsync(Incident("INC-0001", "P1", "critical", t1, failureStart: t1, detected: t1 + Min(2), failover: t1 + Min(12), rpo: Min(2), resolved: t1 + Min(30)), cancellationToken);
        // critical: RTO 20 min (missed), RPO 7 min (missed), detected after 4 min, recovered in 60 min.
        await store.SaveIncidentAsync(Incident("INC-0002", "P1", "critical", t2, failureStart: t2, detected: t2 + Min(4), failover: t2 + Min(20), rpo: Min(7), resolved: t2 + Min(60)), cancellationToken);
        // important: no failover, start unknown, recovered 90 min after opening.
        await store.SaveIncidentAsync(Incident("INC-0003", "P2", "important", t3, failureStart: null, detected: t3, failover: null, rpo: null, resolved: t3 + Min(90)), cancellationToken);
        // Outside a 30-day window.
        var old = now - TimeSpan.FromDays(40);
        await store.SaveIncidentAsync(Incident("INC-0004", "P1", "critical", old, failureStart: old, detected: old + Min(30), failover: old + Min(200), rpo: Min(50), resolved: old + Min(300)), cancellationToken);

        Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(Run("run-1", "region-failover", RunOutcome.Succeeded, t1 + Min(12)), []), now, cancellationToken));
        Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(Run("run-2", "database-failover", RunOutcome.Failed, t2 + Min(10)), []), now, cancellationToken));
        Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(Run("run-3", "region-failover", RunOutcome.Rejected, t2 + Min(11)), []), now, cancellationToken));
        Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(Run("run-4", "application-failover", RunOutcome.RolledBack, t3 + Min(5)), []), now, cancellationToken));

        var archive = new ExerciseArchive(store);
        await archive.SaveAsync(Exercise(await archive.NextIdAsync(cancellationToken), ExerciseKinds.BackupRestore, ExerciseStatus.Passed, t1), cancellationToken);
        await archive.SaveAsync(Exercise(await archive.NextIdAsync(cancellationToken), ExerciseKinds.BackupRestore, ExerciseStatus.Failed, t2), cancellationToken);
        await archive.SaveAsync(Exercise(await archive.NextIdAsync(cancellationToken), ExerciseKinds.BackupRestore, ExerciseStatus.Passed, t3), cancellationToken);
        var drill = Exercise(await archive.NextIdAsync(cancellationToken), ExerciseKinds.RegionFailure, ExerciseStatus.Passed, t3 + Min(1));
        drill.MeasuredRto = Min(8);
        drill.MeasuredRpo = TimeSpan.FromSeconds(30);
        await archive.SaveAsync(drill, cancellationToken);
    }

    private static TimeSpan Min(double minutes) => TimeSpan.FromMinutes(minutes);

    private static Incident Incident(string id, string severity, string tier, DateTimeOffset opened, DateTimeOffset? failureStart, DateTimeOffset? detected, DateTimeOffset? failover, TimeSpan? rpo, DateTimeOffset resolved) => new()
    {
        Id = id, Title = $"fixture {id}", Severity = severity, Tier = tier, State = IncidentState.Closed, OpenedBy = "alice",
        OpenedAt = opened, FailureStartedAt = failureStart, DetectedAt = detected, AcknowledgedAt = opened, FailoverCompletedAt = failover,
        MeasuredRpo = rpo, ResolvedAt = resolved, ClosedAt = resolved, Version = 1,
    };

    private static RunRecord Run(string id, string runbook, RunOutcome outcome, DateTimeOffset ended) => new()
    {
        Id = id, Runbook = runbook, Region = "west-us", StartedBy = "alice", StartedAt = ended - Min(5), EndedAt = ended, Outcome = outcome, State = outcome.ToString().ToLowerInvariant(),
    };

    private static ExerciseRecord Exercise(string id, string kind, ExerciseStatus status, DateTimeOffset at) => new()
    {
        Id = id, Kind = kind, Status = status, StartedAt = at, EndedAt = at + Min(3), StartedBy = "bob",
    };
}
