using System.Globalization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors;

/// <summary><c>az aks get-credentials</c> for the region's cluster.</summary>
public sealed class ClusterCredentialsExecutor(IClusterManager cluster) : IStepExecutor
{
    public string Name => ExecutorNames.ClusterCredentials;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        (await cluster.GetCredentialsAsync(context.Region(), cancellationToken)).ToStepResult();
}

/// <summary>
/// <c>kubectl scale deployment --all --replicas=N</c>: verifies first (already at N = nothing to do),
/// remembers the replicas before (fact) for the compensation, and waits for the rollout.
/// </summary>
public sealed class ClusterScaleExecutor(IClusterManager cluster, RegionApplicationSettings? settings = null) : IStepExecutor
{
    public string Name => ExecutorNames.ClusterScale;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var ns = context.Namespace(settings, region);
        var replicas = (int)(context.Number("replicas") ?? 3);
        var deployments = await cluster.GetDeploymentsAsync(region, ns, cancellationToken);
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var beforeKey = BeforeKey(region);
        if (deployments.Count > 0 && !context.Run.Facts.ContainsKey(beforeKey) && deployments.Any(d => d.DesiredReplicas != replicas))
        {
            facts[beforeKey] = deployments.Min(d => d.DesiredReplicas).ToString(CultureInfo.InvariantCulture);
        }
        if (deployments.Count > 0 && deployments.All(d => d.DesiredReplicas == replicas))
        {
            return StepResult.Ok($"{region}: {deployments.Count} deployments already at {replicas} replicas", facts);
        }
        var scaled = await cluster.ScaleAsync(region, ns, replicas, null, cancellationToken);
        if (!scaled.Succeeded)
        {
            return scaled.ToStepResult(facts);
        }
        var rollout = await cluster.WaitForRolloutAsync(region, ns, TimeSpan.FromMinutes(5), cancellationToken);
        return rollout.Succeeded
            ? StepResult.Ok($"{scaled.Detail}; {rollout.Detail}", facts)
            : rollout.ToStepResult(facts);
    }

    internal static string BeforeKey(string region) => $"replicas_before_{region}".ToLowerInvariant();
}

/// <summary>Compensation: scales the region's deployments back to what they were before the scale-up.</summary>
public sealed class ClusterRestoreScaleExecutor(IClusterManager cluster, RegionApplicationSettings? settings = null) : IStepExecutor
{
    public string Name => ExecutorNames.ClusterRestoreScale;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        if (!context.Run.Facts.TryGetValue(ClusterScaleExecutor.BeforeKey(region), out var text)
            || !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var before))
        {
            return StepResult.Ok($"{region}: no earlier replica count was recorded: nothing to scale back");
        }
        var ns = context.Namespace(settings, region);
        var deployments = await cluster.GetDeploymentsAsync(region, ns, cancellationToken);
        if (deployments.Count > 0 && deployments.All(d => d.DesiredReplicas == before))
        {
            return StepResult.Ok($"{region}: already back at {before} replicas");
        }
        return (await cluster.ScaleAsync(region, ns, before, null, cancellationToken)).ToStepResult();
    }
}
