using System.Collections.Concurrent;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Npgsql;

namespace DrBot.Runbooks.Tests.Infrastructure.Postgres;

/// <summary>A writer that counts a row only once the server acknowledged its commit, and a reader of what survived.</summary>
internal static class Writes
{
    public static async Task UntilFailureAsync(PostgresServer primary, int writer, ConcurrentBag<long> acknowledged, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = new NpgsqlConnection(primary.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            for (long i = 0; ; i++)
            {
                var id = writer * 1_000_000_000L + i;
                await using var cmd = new NpgsqlCommand("INSERT INTO orders(id) VALUES (@id)", conn);
                cmd.Parameters.AddWithValue("id", id);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
                acknowledged.Add(id);
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or OperationCanceledException)
        {
            // the primary died under us: the write in flight was never acknowledged.
        }
    }

    public static async Task<HashSet<long>> ReadIdsAsync(PostgresServer server)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM orders", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new HashSet<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }
}
