using System.Collections.Concurrent;
using System.Net.Sockets;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// Opens connections to a region's PostgreSQL from <c>DrBot:Regions:&lt;region&gt;:Database:ConnectionString</c>.
/// Pooling is off unless the connection string asks for it: the adapter runs a handful of queries per
/// failover, and a pool would keep connections to a server that has just died.
/// </summary>
public sealed class PostgresConnections : IAsyncDisposable
{
    private readonly IOptionsMonitor<DrBotOptions> _options;
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);

    public PostgresConnections(IOptionsMonitor<DrBotOptions> options) => _options = options;

    /// <summary>The region's connection string, or null when none is configured.</summary>
    public string? ConnectionStringOf(string region) =>
        _options.CurrentValue.Regions.TryGetValue(region, out var r) && !string.IsNullOrWhiteSpace(r.Database.ConnectionString)
            ? r.Database.ConnectionString
            : null;

    /// <summary><c>host:port/database</c> of the region, safe to log (never the password).</summary>
    public string Describe(string region)
    {
        var cs = ConnectionStringOf(region);
        if (cs is null) return $"{region} (no connection string)";
        try
        {
            var b = new NpgsqlConnectionStringBuilder(cs);
            return $"{b.Host}:{b.Port}/{b.Database}";
        }
        catch (ArgumentException)
        {
            return $"{region} (unparsable connection string)";
        }
    }

    public async Task<NpgsqlConnection> OpenAsync(string region, CancellationToken cancellationToken)
    {
        var cs = ConnectionStringOf(region)
            ?? throw new InfrastructureNotConfiguredException(
                $"No PostgreSQL configured for region '{region}': set DrBot:Regions:{region}:Database:ConnectionString.");
        var source = _sources.GetOrAdd(cs, Build);
        return await source.OpenConnectionAsync(cancellationToken);
    }

    private static NpgsqlDataSource Build(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Pooling", StringComparison.OrdinalIgnoreCase)) b.Pooling = false;
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) b.Timeout = 5;
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "drbot";
        return NpgsqlDataSource.Create(b.ConnectionString);
    }

    /// <summary>Connection failures, timeouts and server states that pass by themselves are worth a retry.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is "57P01" or "57P02" or "57P03" or "08006" or "08001",
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>An error message without the connection string (Npgsql never puts the password in it).</summary>
    public static string Explain(Exception e) => e switch
    {
        PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
        NpgsqlException { InnerException: { } inner } n => $"{n.Message} ({inner.Message})",
        _ => e.Message,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _sources.Values) await s.DisposeAsync();
        _sources.Clear();
    }
}
