using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using k8s;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Kubernetes;

/// <summary>
/// Builds a Kubernetes client for a region: fetched AKS credentials first, then
/// <c>Cluster:KubeConfigPath</c> (+ <c>Cluster:Context</c>), then the in-cluster service account,
/// then the default kubeconfig (<c>~/.kube/config</c>).
/// </summary>
public sealed class KubernetesClients
{
    private readonly IOptionsMonitor<DrBotOptions> _regions;
    private readonly KubeConfigCache _cache;
    private readonly LiveInfrastructureOptions _options;

    public KubernetesClients(IOptionsMonitor<DrBotOptions> regions, KubeConfigCache cache, IOptions<LiveInfrastructureOptions> options)
    {
        _regions = regions;
        _cache = cache;
        _options = options.Value;
    }

    public ClusterOptions ClusterOf(string region) =>
        _regions.CurrentValue.Regions.TryGetValue(region, out var r) ? r.Cluster : new ClusterOptions();

    /// <summary>Where this region's credentials come from, for messages (never the credentials).</summary>
    public string SourceOf(string region)
    {
        var cluster = ClusterOf(region);
        if (_cache.Get(region) is not null) return "fetched AKS user credentials";
        if (!string.IsNullOrWhiteSpace(cluster.KubeConfigPath)) return $"kubeconfig {cluster.KubeConfigPath}{(cluster.Context is null ? "" : $" context {cluster.Context}")}";
        return InCluster ? "in-cluster service account" : "default kubeconfig";
    }

    public k8s.Kubernetes Create(string region)
    {
        var cluster = ClusterOf(region);
        KubernetesClientConfiguration config;
        if (_cache.Get(region) is { } fetched)
        {
            using var stream = new MemoryStream(fetched, writable: false);
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream, cluster.Context);
        }
        else if (!string.IsNullOrWhiteSpace(cluster.KubeConfigPath))
        {
            if (!File.Exists(cluster.KubeConfigPath))
                throw new InfrastructureNotConfiguredException($"DrBot:Regions:{region}:Cluster:KubeConfigPath points to a missing file ({cluster.KubeConfigPath}).");
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeConfigPath, cluster.Context);
        }
        else if (InCluster)
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            config = KubernetesClientConfiguration.BuildDefaultConfig();
        }
        config.HttpClientTimeout = _options.StatusTimeout;
        return new k8s.Kubernetes(config);
    }

    private static bool InCluster => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"));
}
