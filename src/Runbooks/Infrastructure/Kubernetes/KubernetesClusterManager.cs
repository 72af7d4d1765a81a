using System.Text.Json.Nodes;
using DrBot.Runbooks.Infrastructure.Azure;
using DrBot.Runbooks.Infrastructure.Live;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Kubernetes;

/// <summary>
/// A region's Kubernetes cluster through KubernetesClient: credentials (AKS through ARM, or a
/// kubeconfig), scaling through the scale subresource, the connection-string switch as a strategic
/// merge patch of a container's env, and rollout waits that read <c>observedGeneration</c>.
/// </summary>
public sealed class KubernetesClusterManager : IClusterManager
{
    // The AKS source is resolved on first use: a self-hosted cluster never builds an ARM client.
    private readonly KubernetesClients _clients;
    private readonly KubeConfigCache _cache;
    private readonly Func<AksCredentialSource>? _aks;
    private readonly LiveInfrastructureOptions _options;
    private readonly TimeProvider _time;
    private readonly KubernetesRetry _retry;

    public KubernetesClusterManager(KubernetesClients clients, KubeConfigCache cache, IOptions<LiveInfrastructureOptions> options, TimeProvider time, Func<AksCredentialSource>? aks = null)
    {
        _clients = clients;
        _cache = cache;
        _aks = aks;
        _options = options.Value;
        _time = time;
        _retry = new KubernetesRetry(_options, time);
    }

    public async Task<InfraActionResult> GetCredentialsAsync(string region, CancellationToken cancellationToken)
    {
        var aksId = _clients.ClusterOf(region).AzureResourceId;
        if (!string.IsNullOrWhiteSpace(aksId))
        {
            if (_aks is null) return InfraActionResult.Failed($"DrBot:Regions:{region}:Cluster:AzureResourceId is set but Azure access is not registered.");
            var fetched = await _aks().FetchAsync(aksId, cancellationToken);
            if (fetched.KubeConfig is null) return fetched.Result;
            _cache.Set(region, fetched.KubeConfig);
            return fetched.Result;
        }
        try
        {
            using var client = _clients.Create(region);
            var version = await _retry.RunAsync(ct => client.Version.GetCodeAsync(ct), cancellationToken);
            return InfraActionResult.Done($"{_clients.SourceOf(region)} reaches the API server of {region} (Kubernetes {version.GitVersion}).");
        }
        catch (Exception e) when (KubernetesRetry.IsKubernetesFailure(e))
        {
            return KubernetesRetry.Failure($"checking the credentials of {region}", e, region);
        }
    }

    public async Task<IReadOnlyList<DeploymentStatus>> GetDeploymentsAsync(string region, string @namespace, CancellationToken cancellationToken)
    {
        try
        {
            using var client = _clients.Create(region);
            var list = await _retry.RunAsync(ct => client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct), cancellationToken);
            return list.Items.Select(d => new DeploymentStatus(d.Metadata.Name, d.Spec.Replicas ?? 1, d.Status?.ReadyReplicas ?? 0)).ToList();
        }
        catch (HttpOperationException e) when (KubernetesRetry.IsPermanent(e))
        {
            throw new InfrastructureNotConfiguredException(KubernetesRetry.Failure($"listing the deployments of {@namespace} in {region}", e, region).Detail);
        }
    }

    public async Task<InfraActionResult> ScaleAsync(string region, string @namespace, int replicas, IReadOnlyList<string>? deployments, CancellationToken cancellationToken)
    {
        if (replicas < 0) return InfraActionResult.Failed($"cannot scale to {replicas} replicas; use 0 or more.");
        var what = $"scaling {@namespace} in {region} to {replicas}";
        try
        {
            using var client = _clients.Create(region);
            var list = await _retry.RunAsync(ct => client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct), cancellationToken);
            var byName = list.Items.ToDictionary(d => d.Metadata.Name, StringComparer.Ordinal);
            var missing = deployments?.Where(n => !byName.ContainsKey(n)).ToList() ?? [];
            if (missing.Count > 0)
                return InfraActionResult.Failed($"{what}: no deployment named {string.Join(", ", missing)} in namespace {@namespace} (present: {string.Join(", ", byName.Keys.Order())}).");
            var targets = (deployments ?? byName.Keys.Order(StringComparer.Ordinal).ToList()).Select(n => byName[n]).ToList();
            if (targets.Count == 0) return InfraActionResult.Failed($"{what}: namespace {@namespace} has no deployments.");

            var already = targets.Where(d => (d.Spec.Replicas ?? 1) == replicas).Select(d => d.Metadata.Name).ToList();
            var toScale = targets.Where(d => (d.Spec.Replicas ?? 1) != replicas).ToList();
            if (toScale.Count == 0) return InfraActionResult.NoOp($"{string.Join(", ", already)} already at {replicas} replicas.");

            var patch = new V1Patch(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }.ToJsonString(), V1Patch.PatchType.MergePatch);
            foreach (var d in toScale)
                await _retry.RunAsync(ct => client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, d.Metadata.Name, @namespace, cancellationToken: ct), cancellationToken);
            return InfraActionResult.Done(
                $"scaled {string.Join(", ", toScale.Select(d => $"{d.Metadata.Name} ({d.Spec.Replicas ?? 1}→{replicas})"))} in {@namespace}" +
                (already.Count > 0 ? $"; {string.Join(", ", already)} already at {replicas}." : "."));
        }
        catch (Exception e) when (KubernetesRetry.IsKubernetesFailure(e))
        {
            return KubernetesRetry.Failure(what, e, region);
        }
    }

    /// <summary>
    /// Sets the variable on the containers that already define it (the first container when none
    /// does), so a sidecar does not get the application's connection string. A value taken from a
    /// secret is replaced (<c>valueFrom: null</c>). The value itself never appears in the result.
    /// </summary>
    public async Task<InfraActionResult> SetEnvironmentAsync(string region, string @namespace, string deployment, string name, string value, CancellationToken cancellationToken)
    {
        var what = $"setting {name} on {@namespace}/{deployment} in {region}";
        try
        {
            using var client = _clients.Create(region);
            var d = await _retry.RunAsync(ct => client.AppsV1.ReadNamespacedDeploymentAsync(deployment, @namespace, cancellationToken: ct), cancellationToken);
            var containers = d.Spec.Template.Spec.Containers;
            var targets = containers.Where(c => c.Env?.Any(v => v.Name == name) == true).ToList();
            if (targets.Count == 0) targets = [containers[0]];
            if (targets.All(c => c.Env?.FirstOrDefault(v => v.Name == name) is { ValueFrom: null } v && v.Value == value))
                return InfraActionResult.NoOp($"{name} already has the requested value on {string.Join(", ", targets.Select(c => c.Name))}.");

            var patchContainers = new JsonArray();
            foreach (var c in targets)
            {
                var env = new JsonObject { ["name"] = name, ["value"] = value };
                if (c.Env?.FirstOrDefault(v => v.Name == name)?.ValueFrom is not null) env["valueFrom"] = null;
                patchContainers.Add(new JsonObject { ["name"] = c.Name, ["env"] = new JsonArray(env) });
            }
            var body = new JsonObject
            {
                ["spec"] = new JsonObject { ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = patchContainers } } },
            };
            var patch = new V1Patch(body.ToJsonString(), V1Patch.PatchType.StrategicMergePatch);
            await _retry.RunAsync(ct => client.AppsV1.PatchNamespacedDeploymentAsync(patch, deployment, @namespace, cancellationToken: ct), cancellationToken);
            return InfraActionResult.Done($"{name} set on {string.Join(", ", targets.Select(c => c.Name))} of {@namespace}/{deployment}; a rollout follows.");
        }
        catch (Exception e) when (KubernetesRetry.IsKubernetesFailure(e))
        {
            return KubernetesRetry.Failure(what, e, region);
        }
    }

    public async Task<string?> GetEnvironmentAsync(string region, string @namespace, string deployment, string name, CancellationToken cancellationToken)
    {
        try
        {
            using var client = _clients.Create(region);
            var d = await _retry.RunAsync(ct => client.AppsV1.ReadNamespacedDeploymentAsync(deployment, @namespace, cancellationToken: ct), cancellationToken);
            return d.Spec.Template.Spec.Containers.SelectMany(c => c.Env ?? []).FirstOrDefault(v => v.Name == name)?.Value;
        }
        catch (HttpOperationException e) when (KubernetesRetry.IsPermanent(e))
        {
            throw new InfrastructureNotConfiguredException(KubernetesRetry.Failure($"reading {name} of {@namespace}/{deployment} in {region}", e, region).Detail);
        }
    }

    public async Task<InfraActionResult> WaitForRolloutAsync(string region, string @namespace, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var what = $"waiting for the rollout of {@namespace} in {region}";
        using var deadline = new OperationDeadline(timeout, _time, cancellationToken);
        var started = _time.GetTimestamp();
        IReadOnlyList<string> pending = [];
        V1DeploymentList? list = null;
        try
        {
            using var client = _clients.Create(region);
            while (true)
            {
                list = await _retry.RunAsync(ct => client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct), deadline.Token);
                pending = list.Items.Where(d => !RolledOut(d)).Select(Describe).ToList();
                if (pending.Count == 0)
                    return InfraActionResult.Done($"{list.Items.Count} deployment(s) of {@namespace} ready after {_time.GetElapsedTime(started).TotalSeconds:F1} s.");
                await Task.Delay(_options.RolloutPollInterval, _time, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.Expired)
        {
            var state = list is null ? "the cluster sent no deployment list in that time" : string.Join("; ", pending);
            return InfraActionResult.Failed($"{what}: not ready after {timeout.TotalSeconds:F0} s: {state}.", transient: true);
        }
        catch (Exception e) when (KubernetesRetry.IsKubernetesFailure(e))
        {
            return KubernetesRetry.Failure(what, e, region);
        }
    }

    /// <summary>The controller has seen the latest spec, and every replica is updated, ready and available.</summary>
    private static bool RolledOut(V1Deployment d)
    {
        var want = d.Spec.Replicas ?? 1;
        var s = d.Status;
        return s is not null
            && (s.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0)
            && (s.UpdatedReplicas ?? 0) == want
            && (s.ReadyReplicas ?? 0) == want
            && (s.AvailableReplicas ?? 0) == want
            && (s.Replicas ?? 0) == want;
    }

    private static string Describe(V1Deployment d) =>
        $"{d.Metadata.Name} {d.Status?.ReadyReplicas ?? 0}/{d.Spec.Replicas ?? 1} ready, {d.Status?.UpdatedReplicas ?? 0} updated" +
        ((d.Status?.ObservedGeneration ?? 0) < (d.Metadata.Generation ?? 0) ? ", spec not yet observed" : "");
}
