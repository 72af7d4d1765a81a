using Npgsql;

namespace DrBot.Tests.Support;

/// <summary>
/// A primary and a streaming replica made with <c>pg_basebackup -R</c>. Replication is synchronous
/// (<c>synchronous_standby_names = '*'</c>): an acknowledged commit is on the replica's disk, which is
/// what a zero-RPO setup runs and what lets the failover test expect no lost write.
/// </summary>
public sealed class PostgresPair
{
    public required PostgresServer Primary { get; init; }
    public required PostgresServer Replica { get; init; }

    /// <summary>A pair; <paramref name="synchronous"/> false gives the strategy's asynchronous streaming (acknowledged commits can be lost).</summary>
    public static async Task<PostgresPair> StartAsync(string template, string root, bool synchronous = true)
    {
        var primaryDir = Path.Combine(root, "primary");
        await ChildProcess.RunAsync("cp", ["-a", template, primaryDir]);
        var primary = PostgresServer.At(primaryDir);
        await primary.ConfigureAndStartAsync();

        var replicaDir = Path.Combine(root, "replica");
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "pg_basebackup"),
            ["-h", "127.0.0.1", "-p", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres",
             "-D", replicaDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"], asPostgres: true);
        var replica = PostgresServer.At(replicaDir);
        await replica.ConfigureAndStartAsync();

        var pair = new PostgresPair { Primary = primary, Replica = replica };
        if (!synchronous)
        {
            await pair.WaitUntilStreamingAsync("async");
            return pair;
        }
        await using (var conn = new NpgsqlConnection(primary.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("ALTER SYSTEM SET synchronous_standby_names = '*'; ", conn);
            await cmd.ExecuteNonQueryAsync();
            await using var reload = new NpgsqlCommand("SELECT pg_reload_conf()", conn);
            await reload.ExecuteScalarAsync();
        }
        await pair.WaitUntilStreamingAsync();
        return pair;
    }

    public async Task WaitUntilStreamingAsync(string syncState = "sync")
    {
        for (var i = 0; i < 200; i++)
        {
            await using var conn = new NpgsqlConnection(Primary.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming' AND sync_state = @sync", conn);
            cmd.Parameters.AddWithValue("sync", syncState);
            if ((long)(await cmd.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"the replica never reached {syncState} streaming");
    }

    public async Task StopAsync()
    {
        await Replica.StopAsync();
        await Primary.StopAsync();
    }
}
