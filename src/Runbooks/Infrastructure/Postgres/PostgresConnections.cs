using System.Collections.Concurrent;
using System.Net.Sockets;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// Opens connections to a region's PostgreSQL from <c>DrBot:Regions:&lt;region&gt;:Database:ConnectionString</c>.
/// Pooled (unless the connection string sets <c>Pooling</c>): opening a session forks a server process,
/// which under load costs more than the promotion itself, and the heartbeat keeps one warm per region.
/// A pooled session may belong to a server that has since died or ended it (fencing ends sessions), so
/// each one is checked with a round trip before it is handed out; a dead one empties the pool and a
/// new session is opened, so a server that is down still reads as unreachable at once.
/// </summary>
public sealed class PostgresConnections : IAsyncDisposable
{
    private readonly IOptionsMonitor<DrBotOptions> _options;
    private readonly ConcurrentDictionary<string, Source> _sources = new(StringComparer.Ordinal);

    /// <summary>A region's sessions: the (usually pooled) data source, and the settings of a session opened outside it.</summary>
    private sealed record Source(NpgsqlDataSource DataSource, bool Pooled, string FreshConnectionString);

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
        var source = SourceOf(region);
        var conn = await source.DataSource.OpenConnectionAsync(cancellationToken);
        if (!source.Pooled)
            return conn;
        try
        {
            await using var ping = new NpgsqlCommand("SELECT 1", conn);
            await ping.ExecuteScalarAsync(cancellationToken);
            return conn;
        }
        catch (Exception e) when (IsTransient(e))
        {
            // A session of a server that died or ended it: none of the idle ones can be trusted.
            await conn.DisposeAsync();
            source.DataSource.Clear();
            return await source.DataSource.OpenConnectionAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled session without a separate check: when the session turns
    /// out dead (its server restarted, or fencing ended it), the pool is emptied and the work runs once
    /// more on a new session. For the reads and the promotion on a failover's critical path, where each
    /// round trip counts; the work must be safe to run again (reads, or acts that check first).
    /// </summary>
    public async Task<T> RunAsync<T>(string region, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var source = SourceOf(region);
        if (source.Pooled)
        {
            var pooled = await source.DataSource.OpenConnectionAsync(cancellationToken);
            try
            {
                return await work(pooled, cancellationToken);
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                source.DataSource.Clear();
            }
            finally
            {
                await pooled.DisposeAsync();
            }
        }
        await using var conn = await source.DataSource.OpenConnectionAsync(cancellationToken);
        return await work(conn, cancellationToken);
    }

    /// <summary>A new session, never a pooled one: for a check that must see what a new client would see.</summary>
    public async Task<NpgsqlConnection> OpenFreshAsync(string region, CancellationToken cancellationToken)
    {
        var conn = new NpgsqlConnection(SourceOf(region).FreshConnectionString);
        await conn.OpenAsync(cancellationToken);
        return conn;
    }

    private Source SourceOf(string region)
    {
        var cs = ConnectionStringOf(region)
            ?? throw new InfrastructureNotConfiguredException(
                $"No PostgreSQL configured for region '{region}': set DrBot:Regions:{region}:Database:ConnectionString.");
        return _sources.GetOrAdd(cs, Build);
    }

    private static Source Build(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) b.Timeout = 5;
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "drbot";
        var pooled = b.Pooling;
        var dataSource = NpgsqlDataSource.Create(b.ConnectionString);
        b.Pooling = false;
        return new Source(dataSource, pooled, b.ConnectionString);
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
        foreach (var s in _sources.Values) await s.DataSource.DisposeAsync();
        _sources.Clear();
    }
}
