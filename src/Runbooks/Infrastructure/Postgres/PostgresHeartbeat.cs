using System.Collections.Concurrent;
using DrBot.Runbooks.Infrastructure.Live;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// The heartbeat table on each region's primary, created by the bot:
/// <c>drbot_heartbeat(seq bigint identity primary key, committed_at timestamptz, written_by text)</c>.
/// Rows older than a day are deleted now and then. Also checks the URL the application is given.
/// </summary>
public sealed class PostgresHeartbeat(PostgresConnections connections, IOptions<LiveInfrastructureOptions> options, TimeProvider time) : IDatabaseHeartbeat
{
    public const string Table = "drbot_heartbeat";

    private readonly LiveInfrastructureOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);

    public async Task<Heartbeat?> WriteAsync(string region, CancellationToken cancellationToken)
    {
        using var deadline = new OperationDeadline(_options.StatusTimeout, time, cancellationToken);
        await using var conn = await connections.OpenAsync(region, deadline.Token);
        if (await PostgresReplicationQueries.InRecoveryAsync(conn, deadline.Token)) return null;
        var count = _writes.AddOrUpdate(region, 1, (_, n) => n + 1);
        if (count == 1)
        {
            await using var create = new NpgsqlCommand($"""
                CREATE TABLE IF NOT EXISTS {Table} (
                    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    written_by text NOT NULL)
                """, conn);
            await create.ExecuteNonQueryAsync(deadline.Token);
        }
        if (count % 1000 == 0)
        {
            await using var prune = new NpgsqlCommand($"DELETE FROM {Table} WHERE committed_at < now() - interval '1 day'", conn);
            await prune.ExecuteNonQueryAsync(deadline.Token);
        }
        await using var cmd = new NpgsqlCommand($"INSERT INTO {Table} (written_by) VALUES (@by) RETURNING seq, committed_at", conn);
        cmd.Parameters.AddWithValue("by", Environment.MachineName);
        await using var r = await cmd.ExecuteReaderAsync(deadline.Token);
        await r.ReadAsync(deadline.Token);
        return new Heartbeat(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<ReplicaPosition> ReadPositionAsync(string region, CancellationToken cancellationToken)
    {
        using var deadline = new OperationDeadline(_options.StatusTimeout, time, cancellationToken);
        return await connections.RunAsync(region, async (conn, token) =>
        {
            try
            {
                return await ReadPositionAsync(conn, $"(SELECT seq, committed_at FROM {Table} ORDER BY seq DESC LIMIT 1)", token);
            }
            catch (PostgresException e) when (e.SqlState == "42P01")
            {
                // No heartbeat table yet (none was ever written, or it has not been replicated).
                return await ReadPositionAsync(conn, "(SELECT NULL::bigint AS seq, NULL::timestamptz AS committed_at)", token);
            }
        }, deadline.Token);
    }

    /// <summary>The newest heartbeat, the last replayed commit and the replay position in one round trip: it runs just before a promotion.</summary>
    private static async Task<ReplicaPosition> ReadPositionAsync(NpgsqlConnection conn, string newestRow, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT h.seq, h.committed_at, pg_last_xact_replay_timestamp(), pg_last_wal_replay_lsn()::text
            FROM (SELECT 1) AS one LEFT JOIN {newestRow} AS h ON true
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        var newest = r.IsDBNull(0) ? null : new Heartbeat(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1));
        DateTimeOffset? replayed = r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2);
        return new ReplicaPosition(newest, replayed, r.IsDBNull(3) ? null : r.GetString(3));
    }

    public async Task<InfraActionResult> VerifyApplicationUrlAsync(string region, string url, CancellationToken cancellationToken)
    {
        string connectionString;
        try
        {
            connectionString = PostgresUrl.ToConnectionString(url);
        }
        catch (FormatException e)
        {
            return InfraActionResult.Failed($"DrBot:Regions:{region}:Database:ApplicationUrl is not a PostgreSQL URL: {e.Message}");
        }
        using var deadline = new OperationDeadline(_options.StatusTimeout, time, cancellationToken);
        try
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(deadline.Token);
            if (await PostgresReplicationQueries.InRecoveryAsync(conn, deadline.Token))
                return InfraActionResult.Failed($"{PostgresUrl.Describe(url)} answers but is a replica (read-only): the application would not be able to write.");
            await using var cmd = new NpgsqlCommand("SHOW default_transaction_read_only", conn);
            var readOnly = (string?)await cmd.ExecuteScalarAsync(deadline.Token);
            return readOnly == "on"
                ? InfraActionResult.Failed($"{PostgresUrl.Describe(url)} is fenced (read-only): the application would not be able to write.")
                : InfraActionResult.Done($"{PostgresUrl.Describe(url)} answers as a writable primary");
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException || (e is OperationCanceledException && deadline.Expired))
        {
            return InfraActionResult.Failed($"{PostgresUrl.Describe(url)} (DrBot:Regions:{region}:Database:ApplicationUrl) does not answer: {PostgresConnections.Explain(e)}", transient: true);
        }
    }

    public async Task<ConsistencyReport> CheckAfterPromotionAsync(string region, long? heartbeatAtPromotion, string? switchoverLsn, CancellationToken cancellationToken)
    {
        var target = connections.Describe(region);
        try
        {
            var written = await WriteAsync(region, cancellationToken);
            if (written is null) return new ConsistencyReport(false, $"{target} is still a replica: it was not promoted.");
            using var deadline = new OperationDeadline(_options.StatusTimeout, time, cancellationToken);
            await using var conn = await connections.OpenAsync(region, deadline.Token);
            var found = new List<string> { $"a new heartbeat (#{written.Sequence}) was written and committed" };
            if (heartbeatAtPromotion is { } seq)
            {
                await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {Table} WHERE seq = @seq", conn);
                cmd.Parameters.AddWithValue("seq", seq);
                if ((long)(await cmd.ExecuteScalarAsync(deadline.Token))! == 0)
                    return new ConsistencyReport(false, $"{target}: heartbeat #{seq}, present when it was promoted, is missing.");
                found.Add($"heartbeat #{seq} held at the promotion is present");
            }
            if (switchoverLsn is { Length: > 0 } lsn)
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), @lsn::pg_lsn) >= 0", conn);
                cmd.Parameters.AddWithValue("lsn", lsn);
                if (!(bool)(await cmd.ExecuteScalarAsync(deadline.Token))!)
                    return new ConsistencyReport(false, $"{target}: its WAL is behind the old primary's last position {lsn}.");
                found.Add($"its WAL includes the old primary's last position {lsn}");
            }
            return new ConsistencyReport(true, $"{target}: {string.Join("; ", found)}.");
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return new ConsistencyReport(false, e.Message);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            return new ConsistencyReport(false, $"{target} unreachable for the consistency check: {PostgresConnections.Explain(e)}");
        }
    }
}
