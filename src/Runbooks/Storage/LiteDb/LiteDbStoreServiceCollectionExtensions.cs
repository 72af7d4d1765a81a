using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Timers;
using DrBot.Runbooks.Outbox;

namespace Microsoft.Extensions.DependencyInjection;

public static class LiteDbStoreServiceCollectionExtensions
{
    /// <summary>
    /// The embedded store on the file DrBot:Store:LiteDb:Path (relative to the current directory),
    /// behind <see cref="IDrBotStore"/> and each of its parts. Uses <see cref="TimeProvider.System"/> unless one is registered.
    /// </summary>
    public static IServiceCollection AddLiteDbStore(this IServiceCollection services)
    {
        services.AddOptions<DrBotOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DrBotOptions>>().Value;
            return new LiteDbStore(Path.GetFullPath(options.Store.LiteDb.Path, Directory.GetCurrentDirectory()), provider.GetRequiredService<TimeProvider>())
            {
                AuditKey = options.Audit.KeyBytes(),
            };
        });
        services.TryAddSingleton<IDrBotStore>(provider => provider.GetRequiredService<LiteDbStore>());
        return services.AddDrBotStoreParts();
    }

    /// <summary>
    /// The store's part interfaces on whichever <see cref="IDrBotStore"/> is registered. The domain
    /// services on top of them are the composition root's (<c>AddDrBotDomainServices</c>).
    /// </summary>
    public static IServiceCollection AddDrBotStoreParts(this IServiceCollection services)
    {
        services.TryAddSingleton<IRunStore>(provider => provider.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<IIncidentStore>(provider => provider.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<ITimerStore>(provider => provider.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<IOutboxStore>(provider => provider.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<IAuditStore>(provider => provider.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<IIdempotencyStore>(provider => provider.GetRequiredService<IDrBotStore>());
        services.TryAddSingleton<IRetentionStore>(provider => provider.GetRequiredService<IDrBotStore>());
        return services;
    }
}
