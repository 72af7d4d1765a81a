using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors;

/// <summary>Pre-failover: is the primary really down? A failover away from a healthy region is refused.</summary>
public sealed class PrimaryDownCheck(IHealthProbe health, IDatabaseReplica database) : IStepExecutor
{
    public string Name => ExecutorNames.PrimaryDown;

    /// <summary>What the approval card says about fencing the region being left.</summary>
    public static string Fencing(string region, bool databaseReachable) => databaseReachable
        ? $"{region} answers: it is fenced (traffic endpoint off, database read-only, sessions ended) before the promotion"
        : FenceExecutor.UnreachableWords(region);

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var probe = await health.ProbeAsync(region, cancellationToken);
        var db = await database.GetStatusAsync(region, cancellationToken);
        var failing = probe.Probes.Count(p => !p.Healthy);
        if (probe.Unreachable || probe.Probes.Count == 0 || !db.Reachable)
        {
            var dbText = db.Reachable ? "database reachable" : "database unreachable";
            return StepResult.Ok($"{region} is down: {failing} of {probe.Probes.Count} health checks fail, {dbText}", Facts(("primary_down", "true"), ("fencing", Fencing(region, db.Reachable))));
        }
        return StepResult.Fail($"{region} still answers: {probe.Probes.Count - failing} of {probe.Probes.Count} health checks pass and its database is reachable",
            facts: Facts(("primary_down", "false"), ("fencing", Fencing(region, true))));
    }
}

/// <summary>Is the region failed over (or back) to healthy? If not, it reports <c>secondary_unhealthy</c>.</summary>
public sealed class RegionHealthyCheck(IHealthProbe health) : IStepExecutor
{
    public string Name => ExecutorNames.RegionHealthy;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var probe = await health.ProbeAsync(region, cancellationToken);
        if (probe.Healthy)
        {
            return StepResult.Ok($"{region}: all {probe.Probes.Count} health checks pass", Facts(("secondary_healthy", "true")));
        }
        var failing = string.Join(", ", probe.Probes.Where(p => !p.Healthy).Select(p => p.Service));
        var detail = probe.Probes.Count == 0 ? $"{region}: no health checks answered" : $"{region} unhealthy: {failing}";
        return StepResult.Fail(detail, RollbackSignals.SecondaryUnhealthy, Facts(("secondary_healthy", "false")));
    }
}

/// <summary>
/// Reads the replication lag of the region's replica into the fact <c>replication_lag_seconds</c>;
/// fails when over <c>max_seconds</c> if that argument is given (gates read the fact otherwise).
/// </summary>
public sealed class ReplicationLagCheck(IDatabaseReplica database) : IStepExecutor
{
    public string Name => ExecutorNames.ReplicationLag;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var status = await database.GetStatusAsync(region, cancellationToken);
        if (!status.Reachable)
        {
            return StepResult.Fail($"{region} database unreachable: {status.Detail}");
        }
        if (status.IsPrimary)
        {
            return StepResult.Ok($"{region} database is already primary: no lag", Facts(("replication_lag_seconds", "0")));
        }
        if (status.LagSeconds is not { } lag)
        {
            return StepResult.Fail($"{region} replication lag unknown: {status.Detail}");
        }
        var facts = Facts(("replication_lag_seconds", Invariant(lag)));
        var max = context.Number("max_seconds");
        return max is { } limit && lag > limit
            ? StepResult.Fail($"{region} replication lag {Invariant(lag)} s is over {Invariant(limit)} s", facts: facts)
            : StepResult.Ok($"{region} replication lag {Invariant(lag)} s", facts);
    }
}
