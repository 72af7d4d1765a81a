using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// What the failover acts on in a region, from its configuration: the namespace, the deployment and
/// variable that hold the database URL, and the URL itself. In Live mode nothing is made up: a missing
/// key fails the step naming the key. The simulated world (a demo) fills blanks with its own layout.
/// </summary>
public sealed class RegionApplicationSettings(IOptions<DrBotOptions> options)
{
    public const string DefaultDeployment = "core-api";
    public const string DefaultVariable = "DATABASE_URL";

    /// <summary>The demo's settings, for executors built without configuration (tests of the simulated world).</summary>
    public static RegionApplicationSettings Simulated { get; } = new(Options.Create(new DrBotOptions()));

    private bool Live => string.Equals(options.Value.Infrastructure.Mode, "Live", StringComparison.OrdinalIgnoreCase);

    private RegionOptions? Region(string region) => options.Value.Regions.GetValueOrDefault(region);

    public string Namespace(string region) =>
        Region(region)?.Cluster.Namespace is { Length: > 0 } ns ? ns
        : Live ? throw new InfrastructureNotConfiguredException(
            $"no cluster configured for {region} (DrBot:Regions:{region}:Cluster:Namespace, with Cluster:KubeConfigPath and Context, or Cluster:AzureResourceId)")
        : SimulatedWorldLayout.DefaultNamespace;

    public string Deployment(string region) =>
        Region(region)?.Cluster.ApplicationDeployment is { Length: > 0 } d ? d : DefaultDeployment;

    public string Variable(string region) =>
        Region(region)?.Cluster.DatabaseUrlVariable is { Length: > 0 } v ? v : DefaultVariable;

    public string ApplicationUrl(string region) =>
        Region(region)?.Database.ApplicationUrl is { Length: > 0 } url ? url
        : Live ? throw new InfrastructureNotConfiguredException(
            $"no application database URL configured for {region}: set DrBot:Regions:{region}:Database:ApplicationUrl (what the application is given once {region} is primary)")
        : SimulatedWorldLayout.DatabaseUrl(region);

    /// <summary>The key to check when the cluster answers 404/403 for this region's application.</summary>
    public static string KeysToCheck(string region) =>
        $"check DrBot:Regions:{region}:Cluster:Namespace, Cluster:ApplicationDeployment and the credentials' RBAC";
}
