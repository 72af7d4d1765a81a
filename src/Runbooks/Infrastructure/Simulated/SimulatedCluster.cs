namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>The regions' Kubernetes clusters in the simulated world: deployments with replicas and environment variables.</summary>
public sealed class SimulatedCluster(SimulatedWorld world) : IClusterManager
{
    public async Task<InfraActionResult> GetCredentialsAsync(string region, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(400), cancellationToken);
        return world.Read(state =>
        {
            var r = SimulatedWorld.TryFind(state, region);
            if (r is null)
            {
                return InfraActionResult.Failed(SimulatedWorld.UnknownRegion(state, region));
            }
            if (r.Down)
            {
                return InfraActionResult.Failed($"Cannot reach the API server of {r.Cluster.Name}: region down.", transient: true);
            }
            if (r.Cluster.Deployments.Count == 0)
            {
                return InfraActionResult.Failed($"{r.Name} is a data-only region: it has no application cluster.");
            }
            // Reading credentials changes nothing, so it is not a side effect.
            return InfraActionResult.NoOp($"Credentials for {r.Cluster.Name} fetched (namespace {r.Cluster.Namespace}).");
        });
    }

    public async Task<IReadOnlyList<DeploymentStatus>> GetDeploymentsAsync(string region, string @namespace, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(120), cancellationToken);
        return world.Read<IReadOnlyList<DeploymentStatus>>(state =>
        {
            var r = SimulatedWorld.Find(state, region);
            if (!SameNamespace(r, @namespace))
            {
                return [];
            }
            return r.Cluster.Deployments
                .Select(d => new DeploymentStatus(d.Key, d.Value.Replicas, r.Down || r.Unhealthy ? 0 : d.Value.Replicas))
                .ToList();
        });
    }

    public Task<InfraActionResult> ScaleAsync(string region, string @namespace, int replicas, IReadOnlyList<string>? deployments, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromSeconds(1.5), state =>
        {
            if (Reachable(state, region, @namespace) is { } problem)
            {
                return problem;
            }
            if (replicas < 0)
            {
                return SimulatedChange.Failed(region, $"Cannot scale to {replicas} replicas: the count must be zero or more.");
            }
            var r = SimulatedWorld.Find(state, region);
            var names = deployments is { Count: > 0 } ? deployments : r.Cluster.Deployments.Keys.ToList();
            var unknown = names.Where(n => !r.Cluster.Deployments.ContainsKey(n)).ToList();
            if (unknown.Count > 0)
            {
                return SimulatedChange.Failed(r.Name, $"Unknown deployment(s) {string.Join(", ", unknown)} in {r.Cluster.Name} (deployments: {string.Join(", ", r.Cluster.Deployments.Keys)}).");
            }
            var changed = names.Where(n => r.Cluster.Deployments[n].Replicas != replicas).ToList();
            if (changed.Count == 0)
            {
                return SimulatedChange.NoOp(r.Name, $"{string.Join(", ", names)} already at {replicas} replicas in {r.Name}.");
            }
            var from = string.Join(", ", changed.Select(n => $"{n} {r.Cluster.Deployments[n].Replicas}→{replicas}"));
            foreach (var name in changed)
            {
                r.Cluster.Deployments[name].Replicas = replicas;
            }
            return SimulatedChange.Changed(r.Name, SideEffectKinds.ClusterScale, $"Scaled in {r.Cluster.Name}: {from}.");
        }, cancellationToken);

    public Task<InfraActionResult> SetEnvironmentAsync(string region, string @namespace, string deployment, string name, string value, CancellationToken cancellationToken) =>
        world.ActAsync(TimeSpan.FromMilliseconds(700), state =>
        {
            if (Reachable(state, region, @namespace) is { } problem)
            {
                return problem;
            }
            var r = SimulatedWorld.Find(state, region);
            if (!r.Cluster.Deployments.TryGetValue(deployment, out var target))
            {
                return SimulatedChange.Failed(r.Name, $"Unknown deployment '{deployment}' in {r.Cluster.Name} (deployments: {string.Join(", ", r.Cluster.Deployments.Keys)}).");
            }
            if (target.Environment.TryGetValue(name, out var current) && current == value)
            {
                return SimulatedChange.NoOp(r.Name, $"{deployment} in {r.Name} already has {name}={value}.");
            }
            target.Environment[name] = value;
            return SimulatedChange.Changed(r.Name, SideEffectKinds.ClusterSetEnvironment, $"Set {name}={value} on {deployment} in {r.Name} (rolling restart).");
        }, cancellationToken);

    public async Task<string?> GetEnvironmentAsync(string region, string @namespace, string deployment, string name, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromMilliseconds(60), cancellationToken);
        return world.Read(state =>
        {
            var r = SimulatedWorld.Find(state, region);
            return SameNamespace(r, @namespace) && r.Cluster.Deployments.TryGetValue(deployment, out var d) && d.Environment.TryGetValue(name, out var v) ? v : null;
        });
    }

    public async Task<InfraActionResult> WaitForRolloutAsync(string region, string @namespace, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await world.DelayAsync(TimeSpan.FromSeconds(2), cancellationToken);
        return world.Read(state =>
        {
            if (Reachable(state, region, @namespace) is { } problem)
            {
                return problem.Result;
            }
            var r = SimulatedWorld.Find(state, region);
            if (r.Unhealthy)
            {
                return InfraActionResult.Failed($"Rollout in {r.Cluster.Name} did not finish within {timeout}: pods are not ready (readiness probes fail).");
            }
            var total = r.Cluster.Deployments.Values.Sum(d => d.Replicas);
            return InfraActionResult.NoOp($"All {r.Cluster.Deployments.Count} deployments in {r.Cluster.Name} rolled out ({total} pods ready).");
        });
    }

    private static bool SameNamespace(SimulatedRegion region, string @namespace) =>
        string.Equals(region.Cluster.Namespace, @namespace, StringComparison.Ordinal);

    /// <summary>Null when the cluster can be acted on; otherwise the failure saying why not.</summary>
    private static SimulatedChange? Reachable(SimulatedWorldState state, string region, string @namespace)
    {
        var r = SimulatedWorld.TryFind(state, region);
        if (r is null)
        {
            return SimulatedChange.Failed(region, SimulatedWorld.UnknownRegion(state, region));
        }
        if (r.Down)
        {
            return SimulatedChange.Failed(r.Name, $"Cannot reach the API server of {r.Cluster.Name}: region down.", transient: true);
        }
        if (r.Cluster.Deployments.Count == 0)
        {
            return SimulatedChange.Failed(r.Name, $"{r.Name} is a data-only region: it has no application cluster.");
        }
        if (!SameNamespace(r, @namespace))
        {
            return SimulatedChange.Failed(r.Name, $"Namespace '{@namespace}' does not exist in {r.Cluster.Name} (namespace: {r.Cluster.Namespace}).");
        }
        return null;
    }
}
