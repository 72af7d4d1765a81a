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

    /// <summary>How often a promotion is checked: <c>pg_promote(true)</c> itself looks only every 100 ms.</summary>
    public static readonly TimeSpan PromotionPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// After <see cref="SignalPromotionAsync"/>: asks every <see cref="PromotionPoll"/> on the same session
    /// until the server has left recovery; false when it is still in recovery after <paramref name="wait"/>.
    /// </summary>
    public static async Task<bool> WaitUntilPromotedAsync(NpgsqlConnection conn, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (await InRecoveryAsync(conn, cancellationToken))
        {
            if (time.GetElapsedTime(started) > wait) return false;
            await Task.Delay(PromotionPoll, time, cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// Role and lag in one round trip. On a replica: bytes received but not replayed, and the age of the
    /// last replayed commit (an idle replica that has replayed everything it received reports 0 s, not the
    /// time since the primary's last commit, which would page someone every quiet night). On a primary:
    /// the furthest-behind standby in <c>pg_stat_replication</c>. The functions that fail on the other
    /// role are only evaluated on theirs.
    /// </summary>
    public static async Task<DatabaseStatus> ReadStatusAsync(NpgsqlConnection conn, string region, string target, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN GREATEST(COALESCE(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0), 0)::bigint END,
                   CASE WHEN pg_is_in_recovery() THEN
                        CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
                             ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8 END,
                   CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END,
                   (SELECT status FROM pg_stat_wal_receiver LIMIT 1),
                   p.standbys, p.bytes, p.seconds, p.names
            FROM (SELECT count(*)::int AS standbys,
                         COALESCE(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), 0)::bigint AS bytes,
                         COALESCE(max(EXTRACT(EPOCH FROM replay_lag)), 0)::float8 AS seconds,
                         COALESCE(string_agg(application_name || ' ' || state || ' ' || sync_state, ', '), '') AS names
                  FROM pg_stat_replication WHERE NOT pg_is_in_recovery()) AS p
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        if (r.GetBoolean(0))
        {
            var lagBytes = r.GetInt64(1);
            var lagSeconds = Math.Max(0, r.GetDouble(2));
            var paused = r.GetBoolean(3);
            var receiver = r.IsDBNull(4) ? "not connected" : r.GetString(4);
            var replica = $"{target} is a replica: {lagBytes} bytes / {lagSeconds:F1} s behind, WAL receiver {receiver}{(paused ? ", replay PAUSED" : "")}.";
            return new DatabaseStatus(region, true, false, lagSeconds, lagBytes, replica);
        }
        var standbys = r.GetInt32(5);
        var bytes = r.GetInt64(6);
        var seconds = r.GetDouble(7);
        var detail = standbys == 0
            ? $"{target} is a primary with no connected standby."
            : $"{target} is a primary; {standbys} standby(s) ({r.GetString(8)}), furthest {bytes} bytes / {seconds:F1} s behind.";
        return new DatabaseStatus(region, true, true, standbys == 0 ? null : seconds, standbys == 0 ? null : bytes, detail);
    }

    /// <summary>
    /// In one round trip: whether the server is in recovery, the last commit it replayed, and — only when
    /// it is in recovery — the promotion signalled (<c>pg_promote(false)</c>). 55000 when it left recovery
    /// in between (someone else promoted it).
    /// </summary>
    public static async Task<(bool InRecovery, DateTimeOffset? LastReplayed, bool Signalled)> SignalPromotionAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT r.in_recovery, pg_last_xact_replay_timestamp(), CASE WHEN r.in_recovery THEN pg_promote(false) ELSE false END
            FROM (SELECT pg_is_in_recovery() AS in_recovery) AS r
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (r.GetBoolean(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1), r.GetBoolean(2));
    }
}
