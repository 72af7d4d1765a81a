using DrBot.Runbooks.Infrastructure;

namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>The scale-up, rehearsed: lists the standby's deployments, asks whether the extra pods fit; scales nothing.</summary>
public sealed class ClusterScaleRehearsal(IClusterManager cluster, RegionApplicationSettings? settings = null, IStandbyReadiness? readiness = null) : IStepRehearsal
{
    public string Name => ExecutorNames.ClusterScale;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(context, cancellationToken);
        if (plan.Deployments.Count == 0)
            return StepResult.Fail($"{plan.Region}: namespace {plan.Namespace} has no deployments: a real scale-up would fail here");
        if (plan.ToScale.Count == 0)
            return StepResult.Ok($"{plan.Region}: {plan.Deployments.Count} deployments already at {plan.Replicas} replicas: would change nothing");
        return StepResult.Ok($"would scale {string.Join(", ", plan.ToScale.Select(d => $"{d.Name} ({d.DesiredReplicas}→{plan.Replicas})"))} in {plan.Namespace} of {plan.Region} and wait for the rollout; {plan.Capacity?.Detail ?? "capacity not asked"}");
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(context, cancellationToken);
        if (plan.Deployments.Count == 0)
            return PreflightFinding.Blocked($"{plan.Region}: the standby deployments are missing (namespace {plan.Namespace} has none)");
        var what = $"{plan.Region}: {string.Join(", ", plan.Deployments.Select(d => $"{d.Name} {d.ReadyReplicas}/{d.DesiredReplicas}"))}; scale to {plan.Replicas}";
        return plan.Capacity switch
        {
            { Fits: false } c => PreflightFinding.Blocked($"{what}: the standby cannot scale: {c.Detail}"),
            { } c => PreflightFinding.Ready($"{what}; {c.Detail}"),
            null => PreflightFinding.Ready(what),
        };
    }

    private async Task<ScalePlan> PlanAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var ns = context.Namespace(settings, region);
        var replicas = (int)(context.Number("replicas") ?? 3);
        var deployments = await cluster.GetDeploymentsAsync(region, ns, cancellationToken);
        var toScale = deployments.Where(d => d.DesiredReplicas != replicas).ToList();
        var extra = toScale.Sum(d => Math.Max(0, replicas - d.DesiredReplicas));
        var capacity = readiness is null || extra == 0 ? null : await readiness.GetScaleCapacityAsync(region, ns, extra, cancellationToken);
        return new ScalePlan(region, ns, replicas, deployments, toScale, capacity);
    }

    private sealed record ScalePlan(string Region, string Namespace, int Replicas, IReadOnlyList<DeploymentStatus> Deployments, IReadOnlyList<DeploymentStatus> ToScale, ScaleCapacity? Capacity);
}

/// <summary>traffic.enable / traffic.disable / traffic.switch, rehearsed: the endpoints must exist; none is changed.</summary>
public sealed class TrafficRehearsal(ITrafficRouter traffic, string name) : IStepRehearsal
{
    public string Name => name;

    public static TrafficRehearsal Enable(ITrafficRouter traffic) => new(traffic, ExecutorNames.TrafficEnable);
    public static TrafficRehearsal Disable(ITrafficRouter traffic) => new(traffic, ExecutorNames.TrafficDisable);
    public static TrafficRehearsal Switch(ITrafficRouter traffic) => new(traffic, ExecutorNames.TrafficSwitch);

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(context, cancellationToken);
        var missing = plan.Where(p => p.Endpoint is null).Select(p => p.Region).ToList();
        if (missing.Count > 0)
            return StepResult.Fail($"no traffic endpoint for {string.Join(", ", missing)}: a real switch would fail here");
        return StepResult.Ok(string.Join("; ", plan.Select(p => p.Endpoint!.Enabled == p.Enable
            ? $"endpoint {p.Region} already {(p.Enable ? "enabled" : "disabled")}: would change nothing"
            : $"would {(p.Enable ? "enable" : "disable")} endpoint {p.Region}")));
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(context, cancellationToken);
        var missing = plan.Where(p => p.Endpoint is null).Select(p => p.Region).ToList();
        return missing.Count > 0
            ? PreflightFinding.Blocked($"the Traffic Manager endpoint of {string.Join(", ", missing)} does not exist")
            : PreflightFinding.Ready(string.Join("; ", plan.Select(p => $"endpoint {p.Region} exists ({(p.Endpoint!.Enabled ? "enabled" : "disabled")}, weight {p.Endpoint.Weight})")));
    }

    private async Task<IReadOnlyList<(string Region, bool Enable, TrafficEndpoint? Endpoint)>> PlanAsync(StepContext context, CancellationToken cancellationToken)
    {
        List<(string Region, bool Enable)> wanted = name switch
        {
            ExecutorNames.TrafficSwitch => [(context.Text("from", context.Run.FromRegion), false), (context.Text("to", context.Run.Region), true)],
            ExecutorNames.TrafficEnable => [(context.Text("region", context.Run.Region), true)],
            _ => [(context.Text("region", context.Run.Region), false)],
        };
        var endpoints = await traffic.GetEndpointsAsync(cancellationToken);
        return wanted.Select(w => (w.Region, w.Enable, endpoints.FirstOrDefault(e => string.Equals(e.Region, w.Region, StringComparison.OrdinalIgnoreCase)))).ToList();
    }
}

/// <summary>The cache promotion, rehearsed: reads the target cache's role; promotes nothing.</summary>
public sealed class CachePromoteRehearsal(ICacheReplica cache) : IStepRehearsal
{
    public string Name => ExecutorNames.CachePromote;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (region, from, status) = await ReadAsync(context, cancellationToken);
        if (NotConfigured(status))
            return StepResult.Ok($"no cache configured for {region}: would promote nothing");
        if (!status.Reachable)
            return StepResult.Fail($"{region} cache unreachable ({status.Detail}): a real promotion would fail here");
        return StepResult.Ok(status.IsMaster
            ? $"{region} cache is already a master: would promote nothing; would make the {from} cache follow it"
            : $"would promote the {region} cache (REPLICAOF NO ONE) and make the {from} cache follow it");
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (region, _, status) = await ReadAsync(context, cancellationToken);
        if (NotConfigured(status))
            return PreflightFinding.Ready($"no cache configured for {region}");
        return status.Reachable
            ? PreflightFinding.Ready($"{region} cache answers ({(status.IsMaster ? "master" : "replica")})")
            : PreflightFinding.Blocked($"{region} cache unreachable: {status.Detail}");
    }

    private static bool NotConfigured(CacheStatus status) => !status.Reachable && status.Detail.StartsWith("No cache configured", StringComparison.Ordinal);

    private async Task<(string Region, string From, CacheStatus Status)> ReadAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        return (region, context.Text("from", context.Run.FromRegion), await cache.GetStatusAsync(region, cancellationToken));
    }
}
