using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Npgsql;

namespace DrBot.Bench.Failover;

/// <summary>Identical PostgreSQL pairs (primary + synchronous streaming replica) from one initdb template, as the tests make them.</summary>
internal sealed class PostgresPairs : IAsyncDisposable
{
    private readonly List<PostgresPair> _pairs = [];
    private string _root = "";
    private string _template = "";
    private int _next;

    public static async Task<PostgresPairs> CreateAsync()
    {
        var pairs = new PostgresPairs { _root = Directory.CreateTempSubdirectory("drbot-bench-").FullName };
        pairs._template = Path.Combine(pairs._root, "template");
        await ChildProcess.GiveToPostgresAsync(pairs._root);
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "initdb"),
            ["-D", pairs._template, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"], asPostgres: true);
        return pairs;
    }

    /// <summary>A fresh pair with an <c>orders</c> table that has taken some writes.</summary>
    public async Task<PostgresPair> NewAsync(CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_root, $"pg{++_next}");
        Directory.CreateDirectory(dir);
        await ChildProcess.GiveToPostgresAsync(dir);
        var pair = await PostgresPair.StartAsync(_template, dir);
        _pairs.Add(pair);
        await using var conn = new NpgsqlConnection(pair.Primary.ConnectionString);
        await conn.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand("CREATE TABLE orders(id bigserial PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT clock_timestamp()); INSERT INTO orders SELECT FROM generate_series(1, 1000)", conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return pair;
    }

    /// <summary>Polls until an INSERT commits on <paramref name="server"/>: the moment it "accepts writes" for a client.</summary>
    public static async Task WaitForWritesAsync(PostgresServer server, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await using var conn = new NpgsqlConnection(server.ConnectionString);
                await conn.OpenAsync(cancellationToken);
                await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == "25006")
            {
                await Task.Delay(2, cancellationToken); // read-only transaction: still a replica
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pair in _pairs) await pair.StopAsync();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
