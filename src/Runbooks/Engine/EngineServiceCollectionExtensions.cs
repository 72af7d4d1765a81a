using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// The runbook catalog, the built-in step executors, their registry, the definition validator and
    /// the engine. Needs the store (<c>IDrBotStore</c>), the infrastructure ports and an
    /// <see cref="IRunbookNotifier"/> registered too; uses <see cref="TimeProvider.System"/> unless one is registered.
    /// </summary>
    public static IServiceCollection AddRunbookEngine(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(RunbookEngine)))
        {
            return services;
        }
        services.AddOptions<DrBotOptions>();
        services.AddOptions<RunbookEngineOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new Roster(sp.GetRequiredService<IOptions<DrBotOptions>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DrBotOptions>, RunbookDefinitionValidator>(
            sp => new RunbookDefinitionValidator(sp.GetServices<StepExecutorName>().Select(n => n.Name))));
        services.AddBuiltInStepExecutors();
        services.AddBuiltInStepRehearsals();

        services.TryAddSingleton<RegionApplicationSettings>();
        services.TryAddSingleton<HeartbeatLedger>();
        services.TryAddSingleton<PendingFences>();
        services.TryAddSingleton<StepExecutorRegistry>();
        services.TryAddSingleton<RunbookCatalog>();
        services.TryAddSingleton<RunbookEngine>();
        return services;
    }
}
