using DrBot.Runbooks.Infrastructure.Azure;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Infrastructure.Live;

/// <summary>
/// Per region: Azure Database for PostgreSQL through ARM when <c>Database:AzureResourceId</c> is set,
/// self-hosted PostgreSQL through Npgsql otherwise. The Azure adapter is resolved only when a region
/// needs it, so a self-hosted deployment never asks for an Azure token.
/// </summary>
public sealed class RegionRoutedDatabaseReplica(IServiceProvider services, IOptionsMonitor<DrBotOptions> regions) : IDatabaseReplica
{
    private IDatabaseReplica For(string region) =>
        regions.CurrentValue.Regions.TryGetValue(region, out var r) && !string.IsNullOrWhiteSpace(r.Database.AzureResourceId)
            ? services.GetRequiredService<AzurePostgresReplicaPromoter>()
            : services.GetRequiredService<PostgresDatabaseReplica>();

    public Task<DatabaseStatus> GetStatusAsync(string region, CancellationToken cancellationToken) =>
        For(region).GetStatusAsync(region, cancellationToken);

    public Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken) =>
        For(region).PromoteAsync(region, cancellationToken);

    public Task<InfraActionResult> WriteMarkerAsync(string region, string marker, CancellationToken cancellationToken) =>
        For(region).WriteMarkerAsync(region, marker, cancellationToken);

    public Task<ConsistencyReport> CheckConsistencyAsync(string newPrimaryRegion, string marker, CancellationToken cancellationToken) =>
        For(newPrimaryRegion).CheckConsistencyAsync(newPrimaryRegion, marker, cancellationToken);
}
