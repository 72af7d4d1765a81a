using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>The SQL that reads a server's role and replication lag, and promotes it.</summary>
internal static class PostgresReplicationQueries
{
    public static async Task<bool> InRecoveryAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<DateTimeOffset?> LastReplayedCommitAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_last_xact_replay_timestamp()", conn);
        var value = await cmd.ExecuteScalarAsync(cancellationToken);
        return value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : null;
    }

    public static async Task<bool> PromoteAsync(NpgsqlConnection conn, int waitSeconds, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_promote(true, @wait)", conn) { CommandTimeout = waitSeconds + 10 };
        cmd.Parameters.AddWithValue("wait", waitSeconds);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<DatabaseStatus> ReadStatusAsync(NpgsqlConnection conn, string region, string target, CancellationToken cancellationToken)
    {
        return await InRecoveryAsync(conn, cancellationToken)
            ? await ReadReplicaAsync(conn, region, target, cancellationToken)
            : await ReadPrimaryAsync(conn, region, target, cancellationToken);
    }

    /// <summary>
    /// Lag on a replica: bytes received but not replayed, and the age of the last replayed commit.
    /// An idle replica that has replayed everything it received reports 0 s, not the time since the
    /// primary's last commit (which would page someone every quiet night).
    /// </summary>
    private static async Task<DatabaseStatus> ReadReplicaAsync(NpgsqlConnection conn, string region, string target, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT GREATEST(COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0), 0)::bigint,
                   CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8,
                   pg_is_wal_replay_paused(),
                   (SELECT status FROM pg_stat_wal_receiver LIMIT 1)
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        var bytes = r.GetInt64(0);
        var seconds = Math.Max(0, r.GetDouble(1));
        var paused = r.GetBoolean(2);
        var receiver = r.IsDBNull(3) ? "not connected" : r.GetString(3);
        var detail = $"{target} is a replica: {bytes} bytes / {seconds:F1} s behind, WAL receiver {receiver}{(paused ? ", replay PAUSED" : "")}.";
        return new DatabaseStatus(region, true, false, seconds, bytes, detail);
    }

    /// <summary>Lag on a primary: the furthest-behind standby in <c>pg_stat_replication</c>.</summary>
    private static async Task<DatabaseStatus> ReadPrimaryAsync(NpgsqlConnection conn, string region, string target, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT count(*)::int,
                   COALESCE(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::bigint,
                   COALESCE(max(EXTRACT(EPOCH FROM replay_lag)), 0)::float8,
                   COALESCE(string_agg(application_name || ' ' || state || ' ' || sync_state, ', '), '')
            FROM pg_stat_replication
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        var standbys = r.GetInt32(0);
        var bytes = r.GetInt64(1);
        var seconds = r.GetDouble(2);
        var detail = standbys == 0
            ? $"{target} is a primary with no connected standby."
            : $"{target} is a primary; {standbys} standby(s) ({r.GetString(3)}), furthest {bytes} bytes / {seconds:F1} s behind.";
        return new DatabaseStatus(region, true, true, standbys == 0 ? null : seconds, standbys == 0 ? null : bytes, detail);
    }
}
