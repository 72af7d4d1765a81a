using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// The <c>drbot_failover_markers</c> table: markers written on the old primary before a switch and
/// read back on the new one, write checks after a promotion, and the promotion record that lets a
/// consistency check bound the data-loss window.
/// </summary>
internal static class PostgresFailoverMarkers
{
    public const string Table = "drbot_failover_markers";

    private const string CreateTable = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            marker text PRIMARY KEY,
            kind text NOT NULL,
            written_at timestamptz NOT NULL DEFAULT now(),
            wal_lsn pg_lsn,
            last_replayed_commit_at timestamptz)
        """;

    public static async Task EnsureTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(CreateTable, connection);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Inserts (or refreshes) a marker in autocommit; returns the WAL position it was written at.</summary>
    public static async Task<string> WriteAsync(NpgsqlConnection connection, string marker, string kind, DateTimeOffset? lastReplayedCommitAt, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(connection, cancellationToken);
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO {Table} (marker, kind, wal_lsn, last_replayed_commit_at)
            VALUES (@marker, @kind, pg_current_wal_lsn(), @replayed)
            ON CONFLICT (marker) DO UPDATE SET written_at = now(), wal_lsn = pg_current_wal_lsn()
            RETURNING wal_lsn::text
            """, connection);
        cmd.Parameters.AddWithValue("marker", marker);
        cmd.Parameters.AddWithValue("kind", kind);
        cmd.Parameters.AddWithValue("replayed", (object?)lastReplayedCommitAt ?? DBNull.Value);
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public sealed record MarkerRow(DateTimeOffset WrittenAt, string? Lsn);

    public static async Task<MarkerRow?> FindAsync(NpgsqlConnection connection, string marker, CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(connection, cancellationToken)) return null;
        await using var cmd = new NpgsqlCommand($"SELECT written_at, wal_lsn::text FROM {Table} WHERE marker = @marker", connection);
        cmd.Parameters.AddWithValue("marker", marker);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new MarkerRow(reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetString(1));
    }

    /// <summary>The newest promotion record: when it happened and the last commit the replica had replayed.</summary>
    public static async Task<(DateTimeOffset PromotedAt, DateTimeOffset? LastReplayed)?> LastPromotionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(connection, cancellationToken)) return null;
        await using var cmd = new NpgsqlCommand(
            $"SELECT written_at, last_replayed_commit_at FROM {Table} WHERE kind = 'promotion' ORDER BY written_at DESC LIMIT 1", connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return (reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT to_regclass('{Table}') IS NOT NULL", connection);
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
