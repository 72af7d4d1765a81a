using Azure.Core;

namespace DrBot.Runbooks.Infrastructure.Azure;

/// <summary>
/// AKS user credentials through ARM (<c>az aks get-credentials</c> without the CLI): POST
/// <c>listClusterUserCredential</c> on the managed cluster, returning the kubeconfig. The kubeconfig
/// is a secret: it is kept in memory and never logged.
/// </summary>
public sealed class AksCredentialSource
{
    /// <summary>ManagedClusters - List Cluster User Credentials of Microsoft.ContainerService, stable api-version 2024-09-01.</summary>
    public const string ApiVersion = "2024-09-01";

    private readonly ArmRestClient _arm;

    public AksCredentialSource(ArmRestClient arm) => _arm = arm;

    public sealed record Fetched(byte[]? KubeConfig, InfraActionResult Result);

    public async Task<Fetched> FetchAsync(string clusterResourceId, CancellationToken cancellationToken)
    {
        var name = clusterResourceId.TrimEnd('/').Split('/')[^1];
        var what = $"fetching user credentials of AKS cluster {name}";
        try
        {
            var result = await _arm.SendAsync(RequestMethod.Post, clusterResourceId.TrimEnd('/') + "/listClusterUserCredential", ApiVersion, null, cancellationToken);
            if (!result.IsSuccess) return new Fetched(null, result.ToFailure(what));
            var value = result.Body?["kubeconfigs"]?.AsArray().FirstOrDefault()?["value"]?.GetValue<string>();
            if (string.IsNullOrEmpty(value))
                return new Fetched(null, InfraActionResult.Failed($"{what}: the answer holds no kubeconfig."));
            byte[] kubeconfig;
            try { kubeconfig = Convert.FromBase64String(value); }
            catch (FormatException) { return new Fetched(null, InfraActionResult.Failed($"{what}: the kubeconfig is not base64.")); }
            return new Fetched(kubeconfig, InfraActionResult.Done($"user credentials of AKS cluster {name} fetched."));
        }
        catch (Exception e) when (ArmFailures.IsArmFailure(e))
        {
            return new Fetched(null, ArmFailures.From(what, e));
        }
    }
}
