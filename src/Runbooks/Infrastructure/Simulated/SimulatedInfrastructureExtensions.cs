using DrBot.Runbooks.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Simulated;

public static class SimulatedInfrastructureExtensions
{
    /// <summary>
    /// Registers the simulated world (state file from DrBot:Infrastructure:SimulatedStatePath,
    /// relative to the current directory; empty keeps it in memory) and the simulated adapters
    /// behind every infrastructure port. Needs <see cref="TimeProvider"/> and the DrBot options.
    /// </summary>
    public static IServiceCollection AddSimulatedInfrastructure(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DrBotOptions>>().Value;
            var path = options.Infrastructure.SimulatedStatePath;
            return new SimulatedWorld(options, provider.GetRequiredService<TimeProvider>(),
                string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path, Directory.GetCurrentDirectory()));
        });
        services.AddSingleton<IDatabaseReplica, SimulatedDatabase>();
        services.AddSingleton<ICacheReplica, SimulatedCache>();
        services.AddSingleton<IClusterManager, SimulatedCluster>();
        services.AddSingleton<ITrafficRouter, SimulatedTraffic>();
        services.AddSingleton<IHealthProbe, SimulatedHealthProbe>();
        services.AddSingleton<SimulatedFailoverSupport>();
        services.AddSingleton<IDatabaseFence>(sp => sp.GetRequiredService<SimulatedFailoverSupport>());
        services.AddSingleton<IDatabaseHeartbeat>(sp => sp.GetRequiredService<SimulatedFailoverSupport>());
        services.AddSingleton<IStandbyReadiness, SimulatedStandbyReadiness>();
        return services;
    }
}
