using DrBot.Runbooks.Infrastructure;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>
/// A check changes nothing, so a practice run runs it as it is (its facts feed the gates as in a real
/// run); the pre-flight reads its result: passed = ready, failed = blocked.
/// </summary>
public class ReadOnlyCheckRehearsal(IStepExecutor check) : IStepRehearsal
{
    public string Name => check.Name;

    public Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken) =>
        check.ExecuteAsync(context, cancellationToken);

    public virtual async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var result = await check.ExecuteAsync(context, cancellationToken);
        return result.Kind switch
        {
            StepResultKind.Succeeded => PreflightFinding.Ready(result.Detail),
            StepResultKind.Transient => PreflightFinding.Warning(result.Detail),
            _ => PreflightFinding.Blocked(result.Detail),
        };
    }
}

/// <summary>"Is the primary really down?": before a disaster it is up, which is right; the pre-flight only checks that the check can tell.</summary>
public sealed class PrimaryDownRehearsal(IHealthProbe health, IDatabaseReplica database) : ReadOnlyCheckRehearsal(new PrimaryDownCheck(health, database))
{
    public override async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var probe = await health.ProbeAsync(region, cancellationToken);
        if (probe.Probes.Count == 0)
            return PreflightFinding.Warning($"no health targets answer for {region}: the check would take it for down");
        return PreflightFinding.Ready($"{region}: {probe.Probes.Count(p => p.Healthy)} of {probe.Probes.Count} health checks pass; the check reads them again when a failover starts");
    }
}

/// <summary>
/// The lag check. Pre-flight: the database login works, the target is a replica (in recovery), its lag is
/// within <c>max_seconds</c> (60 by default), and the primary it follows archives its WAL.
/// </summary>
public sealed class ReplicationLagRehearsal(IDatabaseReplica database, IStandbyReadiness? readiness = null) : ReadOnlyCheckRehearsal(new ReplicationLagCheck(database))
{
    public override async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var status = await database.GetStatusAsync(region, cancellationToken);
        if (!status.Reachable)
            return PreflightFinding.Blocked($"{region} database: login or connection fails: {status.Detail}");
        if (status.IsPrimary)
            return PreflightFinding.Blocked($"{region} database is not in recovery (a primary, not a replica): there is nothing to fail over to. {status.Detail}");
        var findings = new List<PreflightFinding>();
        var limit = context.Number("max_seconds") ?? 60;
        findings.Add(status.LagSeconds switch
        {
            null => PreflightFinding.Warning($"{region} replication lag unknown: {status.Detail}"),
            var lag when lag > limit => PreflightFinding.Warning($"{region} replication lag {Invariant(lag.Value)} s is over {Invariant(limit)} s: a failover now would ask to accept data loss"),
            var lag => PreflightFinding.Ready($"{region} is a replica, lag {Invariant(lag.Value)} s (limit {Invariant(limit)} s)"),
        });
        if (readiness is not null && context.Run.FromRegion is { Length: > 0 } primary)
        {
            var archiving = await readiness.GetWalArchivingAsync(primary, cancellationToken);
            findings.Add(archiving.Healthy == false ? PreflightFinding.Warning($"WAL archiving: {archiving.Detail}") : PreflightFinding.Ready($"WAL archiving: {archiving.Detail}"));
        }
        return PreflightFindings.Combine(findings);
    }
}

/// <summary>
/// Checks that run after the switch (services, smoke tests, error rates): a practice run runs them (they
/// read); the pre-flight checks only that the region's health targets answer, since its application is not
/// expected to serve before the failover.
/// </summary>
public sealed class PostFailoverCheckRehearsal(IStepExecutor check, IHealthProbe health) : ReadOnlyCheckRehearsal(check)
{
    public override async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var probe = await health.ProbeAsync(region, cancellationToken);
        return probe.Probes.Count == 0
            ? PreflightFinding.Warning($"no health targets answer for {region}: the checks after the switch would have nothing to read")
            : PreflightFinding.Ready($"runs after the switch; {region} has {probe.Probes.Count} health targets ({probe.Probes.Count(p => p.Healthy)} healthy now)");
    }
}

public static class PreflightFindings
{
    /// <summary>The worst finding decides; every reason is kept.</summary>
    public static PreflightFinding Combine(IReadOnlyList<PreflightFinding> findings) =>
        findings.Count == 1 ? findings[0]
        : new PreflightFinding(findings.Max(f => f.Readiness), string.Join("; ", findings.OrderByDescending(f => f.Readiness).Select(f => f.Reason)));
}
