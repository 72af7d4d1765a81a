using System.Collections.Concurrent;

namespace DrBot.Runbooks.Infrastructure.Kubernetes;

/// <summary>Kubeconfigs fetched at run time (AKS user credentials), per region, in memory only: they are secrets.</summary>
public sealed class KubeConfigCache
{
    private readonly ConcurrentDictionary<string, byte[]> _byRegion = new(StringComparer.OrdinalIgnoreCase);

    public void Set(string region, byte[] kubeconfig) => _byRegion[region] = kubeconfig;

    public byte[]? Get(string region) => _byRegion.TryGetValue(region, out var k) ? k : null;
}
