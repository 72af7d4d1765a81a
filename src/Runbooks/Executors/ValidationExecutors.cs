using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// Post-failover: every deployment ready and every service healthy in the region. Deployments still
/// rolling out are transient; unhealthy services report <c>secondary_unhealthy</c> (a rollback trigger).
/// </summary>
public sealed class ServicesVerifyExecutor(IHealthProbe health, IClusterManager cluster, RegionApplicationSettings? settings = null) : IStepExecutor
{
    public string Name => ExecutorNames.ServicesVerify;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        // Health first: an unhealthy region also has unready pods, and must report the rollback signal, not wait.
        var probe = await health.ProbeAsync(region, cancellationToken);
        if (!probe.Healthy)
        {
            var failing = string.Join(", ", probe.Probes.Where(p => !p.Healthy).Select(p => $"{p.Service} ({p.Detail})"));
            return StepResult.Fail($"{region} services unhealthy: {failing}", RollbackSignals.SecondaryUnhealthy, Facts(("secondary_healthy", "false")));
        }
        var deployments = await cluster.GetDeploymentsAsync(region, context.Namespace(settings, region), cancellationToken);
        var notReady = deployments.Where(d => d.ReadyReplicas < d.DesiredReplicas).ToList();
        if (notReady.Count > 0)
        {
            return StepResult.Retry($"{region}: waiting for {string.Join(", ", notReady.Select(d => $"{d.Name} {d.ReadyReplicas}/{d.DesiredReplicas}"))}");
        }
        return StepResult.Ok($"{region}: {deployments.Count} deployments ready, {probe.Probes.Count} services healthy", Facts(("secondary_healthy", "true")));
    }
}

/// <summary>Smoke tests: the region's health endpoints answer, and fast enough (<c>max_latency_ms</c>, 5000 by default).</summary>
public sealed class SmokeTestsExecutor(IHealthProbe health) : IStepExecutor
{
    public string Name => ExecutorNames.SmokeTests;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var probe = await health.ProbeAsync(region, cancellationToken);
        var maxLatency = TimeSpan.FromMilliseconds(context.Number("max_latency_ms") ?? 5000);
        if (!probe.Healthy)
        {
            return StepResult.Fail($"smoke tests failed in {region}: {string.Join(", ", probe.Probes.Where(p => !p.Healthy).Select(p => p.Service))}");
        }
        if (probe.MaxLatency > maxLatency)
        {
            return StepResult.Fail($"smoke tests too slow in {region}: {probe.MaxLatency.TotalMilliseconds:0} ms over {maxLatency.TotalMilliseconds:0} ms");
        }
        return StepResult.Ok($"smoke tests passed in {region}: {probe.Probes.Count} endpoints, slowest {probe.MaxLatency.TotalMilliseconds:0} ms");
    }
}

/// <summary>
/// Data consistency on the new primary: it accepts a new heartbeat, the newest heartbeat it held when
/// promoted is there, and after a planned switchover its WAL includes the old primary's last position.
/// A mismatch reports <c>data_inconsistency_detected</c>.
/// </summary>
public sealed class DataConsistencyExecutor(IDatabaseReplica database, IDatabaseHeartbeat? heartbeat = null) : IStepExecutor
{
    public string Name => ExecutorNames.DataConsistency;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var facts = context.Run.Facts;
        long? seq = facts.TryGetValue("heartbeat_seq_at_promotion", out var s) && long.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        var lsn = facts.GetValueOrDefault(WaitForReplayExecutor.LsnFact);
        var report = heartbeat is not null
            ? await heartbeat.CheckAfterPromotionAsync(region, seq, lsn, cancellationToken)
            : await database.CheckConsistencyAsync(region, context.Text("marker", ""), cancellationToken);
        var rpo = facts.TryGetValue("rpo_basis", out var basis) ? $" ({basis})" : "";
        return report.Consistent
            ? StepResult.Ok($"data consistent in {region}: {report.Detail}{rpo}")
            : StepResult.Fail($"data inconsistent in {region}: {report.Detail}", RollbackSignals.DataInconsistency);
    }
}

/// <summary>Error rates of the region's services, against <c>max_error_rate</c> (0.05 by default).</summary>
public sealed class ErrorRatesExecutor(IHealthProbe health) : IStepExecutor
{
    public string Name => ExecutorNames.ErrorRates;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var probe = await health.ProbeAsync(region, cancellationToken);
        var max = context.Number("max_error_rate") ?? 0.05;
        var facts = Facts(("error_rate", Invariant(probe.ErrorRate)));
        return probe.ErrorRate <= max
            ? StepResult.Ok($"error rate in {region} {probe.ErrorRate:P0} (limit {max:P0})", facts)
            : StepResult.Fail($"error rate in {region} {probe.ErrorRate:P0} is over {max:P0}", facts: facts);
    }
}
