using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using DrBot.Runbooks.Infrastructure.Azure;
using DrBot.Runbooks.Infrastructure.Health;
using DrBot.Runbooks.Infrastructure.Kubernetes;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Infrastructure.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Live;

public static class LiveInfrastructureServiceCollectionExtensions
{
    /// <summary>
    /// Registers the live adapters behind the infrastructure ports (replacing any simulated ones):
    /// PostgreSQL (Azure-managed per region when <c>Database:AzureResourceId</c> is set), Redis,
    /// Kubernetes (AKS credentials through ARM when <c>Cluster:AzureResourceId</c> is set), Azure
    /// Traffic Manager, and HTTP health probes. Options: <c>DrBot:Live</c>, <c>DrBot:Azure</c>.
    /// A <see cref="TokenCredential"/> or <see cref="HttpPipelineTransport"/> registered beforehand is
    /// used for ARM instead of <see cref="DefaultAzureCredential"/> and the default transport.
    /// </summary>
    public static IServiceCollection AddLiveInfrastructure(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<LiveInfrastructureOptions>().BindConfiguration(LiveInfrastructureOptions.Section);
        services.AddOptions<AzureArmOptions>().BindConfiguration(AzureArmOptions.Section);

        services.TryAddSingleton<PostgresConnections>();
        services.TryAddSingleton<PostgresDatabaseReplica>();
        services.TryAddSingleton<TokenCredential>(sp => CreateCredential(sp.GetRequiredService<IOptions<AzureArmOptions>>().Value));
        services.TryAddSingleton(sp => ArmRestClient.CreateClient(
            sp.GetRequiredService<IOptions<AzureArmOptions>>().Value,
            sp.GetRequiredService<TokenCredential>(),
            sp.GetService<HttpPipelineTransport>()));
        services.TryAddSingleton<ArmRestClient>();
        services.TryAddSingleton<AzurePostgresReplicaPromoter>();
        services.TryAddSingleton<AksCredentialSource>();
        services.TryAddSingleton<KubeConfigCache>();
        services.TryAddSingleton<KubernetesClients>();

        services.Replace(ServiceDescriptor.Singleton<IDatabaseReplica, RegionRoutedDatabaseReplica>());
        services.Replace(ServiceDescriptor.Singleton<ICacheReplica, RedisCacheReplica>());
        services.Replace(ServiceDescriptor.Singleton<IDatabaseFence, PostgresFence>());
        services.Replace(ServiceDescriptor.Singleton<IDatabaseHeartbeat, PostgresHeartbeat>());
        services.Replace(ServiceDescriptor.Singleton<ITrafficRouter, AzureTrafficManagerRouter>());
        services.Replace(ServiceDescriptor.Singleton<IStandbyReadiness, Readiness.LiveStandbyReadiness>());
        services.Replace(ServiceDescriptor.Singleton<IClusterManager>(sp => new KubernetesClusterManager(
            sp.GetRequiredService<KubernetesClients>(),
            sp.GetRequiredService<KubeConfigCache>(),
            sp.GetRequiredService<IOptions<LiveInfrastructureOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            () => sp.GetRequiredService<AksCredentialSource>())));
        services.RemoveAll<IHealthProbe>();
        services.AddHttpClient<IHealthProbe, HttpHealthProbe>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }

    /// <summary><see cref="DefaultAzureCredential"/> with the configured authority; on an isolated network without discovery or developer tools.</summary>
    public static TokenCredential CreateCredential(AzureArmOptions arm)
    {
        var options = new DefaultAzureCredentialOptions { DisableInstanceDiscovery = arm.DisableInstanceDiscovery };
        if (arm.AuthorityHost is { } authority)
            options.AuthorityHost = authority;
        if (arm.DisableInstanceDiscovery)
        {
            options.ExcludeAzureCliCredential = true;
            options.ExcludeAzurePowerShellCredential = true;
            options.ExcludeAzureDeveloperCliCredential = true;
            options.ExcludeVisualStudioCredential = true;
            options.ExcludeInteractiveBrowserCredential = true;
        }
        return new DefaultAzureCredential(options);
    }
}
