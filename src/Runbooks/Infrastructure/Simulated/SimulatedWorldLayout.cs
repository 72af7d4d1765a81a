using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>
/// The starting state of the simulated world, from the configured regions' roles: the primary is
/// active (database primary, cache master, every deployment at 3 replicas, traffic endpoint on),
/// the secondary a passive standby (replica, one pod per deployment, endpoint off), a backup region
/// holds data only (a replica, no application, no endpoint).
/// </summary>
public static class SimulatedWorldLayout
{
    public static readonly IReadOnlyList<string> Deployments = ["core-api", "auth-service", "graphql-gateway", "frontend", "ai-engine"];

    /// <summary>The demo application's namespace when a simulated region configures none.</summary>
    public const string DefaultNamespace = "policycortex";

    public const string DatabaseService = "postgresql";
    public const string CacheService = "dragonfly";

    public static string DatabaseHost(string region) => $"policycortex-db-{region}.postgres.database.azure.com";

    /// <summary>The connection string the application uses to reach <paramref name="region"/>'s database.</summary>
    public static string DatabaseUrl(string region) => $"postgresql://{DatabaseHost(region)}/policycortex";

    public static string CacheUrl(string region) => $"redis://policycortex-cache-{region}.redis.cache.windows.net:6379";

    public static SimulatedWorldState Build(DrBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var regions = options.Regions.Count > 0 ? options.Regions : DrBotOptionsDefaults.Create().Regions;
        var primary = regions.FirstOrDefault(r => string.Equals(r.Value.Role, RegionRoles.Primary, StringComparison.OrdinalIgnoreCase)).Key
            ?? regions.Keys.First();
        var state = new SimulatedWorldState();
        var offset = 0;
        foreach (var (name, region) in regions)
        {
            state.Regions[name] = BuildRegion(name, region, primary, offset);
            offset += 15;
        }
        return state;
    }

    private static SimulatedRegion BuildRegion(string name, RegionOptions options, string primary, int latencyOffsetMs)
    {
        var role = options.Role.ToLowerInvariant();
        var isPrimary = string.Equals(name, primary, StringComparison.OrdinalIgnoreCase);
        var region = new SimulatedRegion
        {
            Name = name,
            Role = role,
            Database = new SimulatedDatabaseNode
            {
                Role = isPrimary ? SimulatedDatabaseNode.PrimaryRole : SimulatedDatabaseNode.ReplicaRole,
                Host = DatabaseHost(name),
                ReplicationLagSeconds = isPrimary ? 0 : role == RegionRoles.Backup ? 8 : 2,
            },
            Cache = new SimulatedCacheNode
            {
                Role = isPrimary ? SimulatedCacheNode.MasterRole : SimulatedCacheNode.ReplicaRole,
                LagBytes = isPrimary ? 0 : 512,
            },
            Cluster = new SimulatedClusterState { Name = $"policycortex-aks-{name}", Namespace = options.Cluster.Namespace ?? DefaultNamespace },
            Traffic = role == RegionRoles.Backup ? null : new SimulatedEndpoint { Enabled = isPrimary, Weight = isPrimary ? 100 : 0 },
        };

        if (role != RegionRoles.Backup)
        {
            var index = 0;
            foreach (var deployment in Deployments)
            {
                region.Cluster.Deployments[deployment] = new SimulatedDeployment
                {
                    Replicas = isPrimary ? 3 : 1,
                    Environment =
                    {
                        ["DATABASE_URL"] = DatabaseUrl(primary),
                        ["REDIS_URL"] = CacheUrl(primary),
                        ["REGION"] = name,
                    },
                };
                region.Health[deployment] = new SimulatedServiceHealth { LatencyMs = 25 + (7 * index++) + latencyOffsetMs };
            }
            region.Health[CacheService] = new SimulatedServiceHealth { LatencyMs = 2 + latencyOffsetMs };
        }
        region.Health[DatabaseService] = new SimulatedServiceHealth { LatencyMs = 4 + latencyOffsetMs };
        return region;
    }
}
