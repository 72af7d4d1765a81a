using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// The shared store on DrBot:Store:Postgres:ConnectionString behind <see cref="IDrBotStore"/> and its
    /// parts, and a start-up step that migrates the
    /// schema. Several replicas may point at one database.
    /// </summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services)
    {
        services.AddOptions<DrBotOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new PostgresStore(
            provider.GetRequiredService<IOptions<DrBotOptions>>().Value.Store.Postgres.ConnectionString ?? "",
            provider.GetRequiredService<TimeProvider>())
        {
            AuditKey = provider.GetRequiredService<IOptions<DrBotOptions>>().Value.Audit.KeyBytes(),
        });
        services.TryAddSingleton<IDrBotStore>(provider => provider.GetRequiredService<PostgresStore>());
        services.AddHostedService<PostgresMigrationService>();
        return services.AddDrBotStoreParts();
    }
}
