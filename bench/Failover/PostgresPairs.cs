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

    /// <summary>
    /// A client of <paramref name="server"/> with its connection already open (a standby's sessions stay
    /// connected through a promotion and may write once it ends): opening one per attempt would fork a
    /// backend every few milliseconds and take CPU from what is being measured.
    /// </summary>
    public static async Task<WriteProbe> ProbeAsync(PostgresServer server, CancellationToken cancellationToken)
    {
        var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync(cancellationToken);
        return new WriteProbe(conn);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pair in _pairs) await pair.StopAsync();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Polls an INSERT every 2 ms on one open connection until it commits: the moment the server "accepts writes" for a client.</summary>
internal sealed class WriteProbe(NpgsqlConnection connection) : IAsyncDisposable
{
    /// <summary>How long after the replica noticed the loss the promotion is asked for (a person reads the card and clicks).</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Kills the primary, waits until the replica has noticed (its WAL receiver stops streaming), then
    /// <see cref="Settle"/>: in a failover the approval comes seconds after the loss, and a promotion asked
    /// for within milliseconds of it can meet the replica restarting its WAL receiver and stall for
    /// wal_retrieve_retry_interval (5 s), which would measure PostgreSQL's timing, not the bot's.
    /// </summary>
    public async Task KillPrimaryAsync(PostgresPair pair, CancellationToken cancellationToken)
    {
        pair.Primary.Kill();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'", connection);
        while ((long)(await cmd.ExecuteScalarAsync(cancellationToken))! > 0)
            await Task.Delay(10, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
    }

    public async Task WaitForWritesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", connection);
        while (true)
        {
            try
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == "25006")
            {
                await Task.Delay(2, cancellationToken); // read-only transaction: still a replica
            }
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
