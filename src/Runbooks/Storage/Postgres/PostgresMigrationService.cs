using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DrBot.Runbooks.Storage.Postgres;

/// <summary>
/// Migrates the schema when the host starts. An unreachable database does not stop the bot: it
/// starts, refuses actions with a clear message, and migrates on the first call that reaches the server.
/// </summary>
internal sealed partial class PostgresMigrationService(PostgresStore store, ILogger<PostgresMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var applied = await store.MigrateAsync(cancellationToken);
            LogMigrated(applied);
        }
        catch (StoreUnavailableException ex)
        {
            LogUnavailable(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = LogEvents.SchemaMigrated, Level = LogLevel.Information, Message = "PostgreSQL store schema is current ({Applied} migrations applied now)")]
    private partial void LogMigrated(int applied);

    [LoggerMessage(EventId = LogEvents.StoreUnreachableAtStart, Level = LogLevel.Error, Message = "PostgreSQL store unreachable at start; actions are refused until it is back")]
    private partial void LogUnavailable(Exception exception);
}
