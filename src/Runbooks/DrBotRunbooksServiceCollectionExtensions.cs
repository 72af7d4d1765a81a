using DrBot.Runbooks.Application;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The composition root of src/Runbooks: everything the domain needs, chosen by configuration. A host
/// adds its own parts on top (the chat side, <c>IRunbookNotifier</c>, <c>IRunQueue</c>, projections).
/// </summary>
public static class DrBotRunbooksServiceCollectionExtensions
{
    /// <summary>How often a replica looks for runs a dead replica left, unless DrBot:Engine:TakeoverPoll says otherwise.</summary>
    public static readonly TimeSpan DefaultTakeoverPoll = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The validated <c>DrBot</c> options, the store named by <c>DrBot:Store:Provider</c> (LiteDB or
    /// PostgreSQL), the infrastructure of <c>DrBot:Infrastructure:Mode</c> (simulated or live), the engine
    /// with its step executors and replica settings (<c>DrBot:Engine</c>), and the application services.
    /// </summary>
    public static IServiceCollection AddDrBotRunbooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddDrBotOptions(configuration);
        services.AddDrBotStore(configuration);
        if (string.Equals(configuration["DrBot:Infrastructure:Mode"], "Live", StringComparison.OrdinalIgnoreCase))
        {
            services.AddLiveInfrastructure();
        }
        else
        {
            services.AddSimulatedInfrastructure();
        }
        services.AddRunbookEngine();
        return services.AddDrBotDomainServices();
    }

    /// <summary>
    /// The domain services on top of a registered store: the audit log, the severity and tier
    /// policies, incidents, and the application services over runs.
    /// </summary>
    public static IServiceCollection AddDrBotDomainServices(this IServiceCollection services)
    {
        services.AddOptions<DrBotOptions>();
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton(provider => new SeverityPolicy(provider.GetRequiredService<IOptions<DrBotOptions>>()));
        services.TryAddSingleton(provider => new TierPolicy(provider.GetRequiredService<IOptions<DrBotOptions>>()));
        services.TryAddSingleton<IncidentService>();
        services.TryAddSingleton<RunQueries>();
        services.TryAddSingleton<RunbookService>();
        services.TryAddSingleton(sp => new DrBot.Runbooks.Freeze.RunFreeze(sp.GetRequiredService<DrBot.Runbooks.Storage.IDrBotStore>()));
        services.TryAddSingleton<FreezeService>();
        return services;
    }

    /// <summary>The store named by <c>DrBot:Store:Provider</c>, and the engine's replica settings (<c>DrBot:Engine</c>).</summary>
    public static IServiceCollection AddDrBotStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RunbookEngineOptions>(configuration.GetSection("DrBot:Engine"));
        var provider = configuration["DrBot:Store:Provider"] ?? "LiteDb";
        if (string.Equals(provider, "LiteDb", StringComparison.OrdinalIgnoreCase))
        {
            return services.AddLiteDbStore();
        }
        if (string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            // Several replicas share the store: each looks for runs another replica stopped advancing.
            services.PostConfigure<RunbookEngineOptions>(o => o.TakeoverPoll ??= DefaultTakeoverPoll);
            return services.AddPostgresStore();
        }
        throw new InvalidOperationException(
            $"DrBot:Store:Provider is '{provider}', which this build does not provide. Valid: LiteDb, Postgres.");
    }
}
