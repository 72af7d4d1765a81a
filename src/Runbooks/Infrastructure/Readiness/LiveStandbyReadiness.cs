using DrBot.Runbooks.Infrastructure.Kubernetes;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Policy;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Readiness;

/// <summary>
/// Live pre-flight reads: the namespace's <c>ResourceQuota</c> (hard vs used <c>pods</c>) through the
/// Kubernetes API, and <c>pg_stat_archiver</c> on a self-hosted PostgreSQL primary. Reads only.
/// </summary>
public sealed class LiveStandbyReadiness(KubernetesClients clients, PostgresConnections connections, IOptionsMonitor<DrBotOptions> regions, IOptions<LiveInfrastructureOptions> options, TimeProvider time) : IStandbyReadiness
{
    public async Task<ScaleCapacity> GetScaleCapacityAsync(string region, string @namespace, int extraPods, CancellationToken cancellationToken)
    {
        using var client = clients.Create(region);
        V1ResourceQuotaList quotas;
        try
        {
            quotas = await client.CoreV1.ListNamespacedResourceQuotaAsync(@namespace, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            // No right to read quotas (RBAC) is not a reason to refuse a failover: the capacity is just not known.
            return new ScaleCapacity(null, $"the quotas of {@namespace} in {region} are not readable ({(int)e.Response.StatusCode} {e.Response.ReasonPhrase})");
        }
        var limits = quotas.Items
            .Select(q => (q.Metadata.Name, Hard: Pods(q.Status?.Hard ?? q.Spec?.Hard), Used: Pods(q.Status?.Used)))
            .Where(q => q.Hard is not null)
            .ToList();
        if (limits.Count == 0)
            return new ScaleCapacity(null, $"no ResourceQuota limits pods in {@namespace} of {region}: the API tells no limit");
        var tightest = limits.MinBy(q => q.Hard!.Value - (q.Used ?? 0));
        var free = tightest.Hard!.Value - (tightest.Used ?? 0);
        return new ScaleCapacity(free >= extraPods,
            $"quota {tightest.Name} in {@namespace}: {tightest.Used ?? 0} of {tightest.Hard} pods used, {free} free for {extraPods} more");
    }

    public async Task<WalArchiving> GetWalArchivingAsync(string region, CancellationToken cancellationToken)
    {
        if (regions.CurrentValue.Regions.TryGetValue(region, out var r) && !string.IsNullOrWhiteSpace(r.Database.AzureResourceId))
            return new WalArchiving(null, $"{region} is Azure-managed: Azure archives its WAL (backups are Azure's)");
        using var deadline = new OperationDeadline(options.Value.StatusTimeout, time, cancellationToken);
        try
        {
            await using var conn = await connections.OpenAsync(region, deadline.Token);
            await using var cmd = new NpgsqlCommand("""
                SELECT current_setting('archive_mode'), archived_count, failed_count,
                       last_archived_time IS NOT NULL AND (last_failed_time IS NULL OR last_archived_time > last_failed_time),
                       COALESCE(last_failed_wal, '')
                FROM pg_stat_archiver
                """, conn);
            await using var reader = await cmd.ExecuteReaderAsync(deadline.Token);
            await reader.ReadAsync(deadline.Token);
            var mode = reader.GetString(0);
            var archived = reader.GetInt64(1);
            var failed = reader.GetInt64(2);
            var lastSucceeded = reader.GetBoolean(3);
            if (mode == "off")
                return new WalArchiving(false, $"{connections.Describe(region)}: archive_mode is off: no WAL is archived (no point-in-time recovery)");
            if (failed > 0 && !lastSucceeded)
                return new WalArchiving(false, $"{connections.Describe(region)}: archiving fails ({failed} failures, last {reader.GetString(4)}, none archived since)");
            return new WalArchiving(true, $"{connections.Describe(region)}: archive_mode {mode}, {archived} segments archived, {failed} failures");
        }
        catch (Exception e) when (PostgresConnections.IsTransient(e) || e is InfrastructureNotConfiguredException || (e is OperationCanceledException && deadline.Expired))
        {
            return new WalArchiving(null, $"{connections.Describe(region)}: archiving not readable: {(e is OperationCanceledException ? "timed out" : PostgresConnections.Explain(e))}");
        }
    }

    private static int? Pods(IDictionary<string, ResourceQuantity>? values) =>
        values is not null && (values.TryGetValue("pods", out var q) || values.TryGetValue("count/pods", out q)) ? (int)q.ToInt64() : null;
}
