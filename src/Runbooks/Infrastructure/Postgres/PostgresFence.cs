using DrBot.Runbooks.Infrastructure.Live;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// Fences a self-hosted PostgreSQL primary: <c>ALTER SYSTEM SET default_transaction_read_only = on</c>
/// and <c>pg_reload_conf()</c>, then ends every client session (replication connections stay, so a
/// planned switchover can still stream the last WAL). Verified by a write on a fresh connection that
/// must be refused with SQLSTATE 25006. Unfencing resets the setting.
/// </summary>
public sealed class PostgresFence(PostgresConnections connections, IOptions<LiveInfrastructureOptions> options, TimeProvider time) : IDatabaseFence
{
    private readonly LiveInfrastructureOptions _options = options.Value;

    public async Task<FenceResult> FenceAsync(string region, CancellationToken cancellationToken)
    {
        var target = connections.Describe(region);
        using var deadline = new OperationDeadline(_options.StatusTimeout, time, cancellationToken);
        try
        {
            await using (var conn = await connections.OpenAsync(region, deadline.Token))
            {
                if (await PostgresReplicationQueries.InRecoveryAsync(conn, deadline.Token))
                    return new FenceResult(FenceState.AlreadyFenced, $"{target} is a replica (in recovery): it accepts no writes.");
                await ExecuteAsync(conn, "SET default_transaction_read_only = off", deadline.Token);
                await ExecuteAsync(conn, "ALTER SYSTEM SET default_transaction_read_only = on", deadline.Token);
                await ExecuteAsync(conn, "SELECT pg_reload_conf()", deadline.Token);
            }
            // The reload is asynchronous: wait until a new session sees it, then end the old sessions.
            for (var attempt = 0; ; attempt++)
            {
                await using var check = await connections.OpenFreshAsync(region, deadline.Token);
                if (await ScalarAsync(check, "SHOW default_transaction_read_only", deadline.Token) == "on")
                {
                    var ended = await ScalarAsync(check, """
                        SELECT count(pg_terminate_backend(pid))::text FROM pg_stat_activity
                        WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
                        """, deadline.Token);
                    var refused = await WriteRefusedAsync(check, deadline.Token);
                    return refused
                        ? new FenceResult(FenceState.Fenced, $"{target} fenced: read-only (default_transaction_read_only = on), {ended} session(s) ended, a test write was refused.")
                        : new FenceResult(FenceState.Failed, $"{target}: read-only is set but a test write still succeeded; it is NOT fenced.");
                }
                if (attempt > 50) return new FenceResult(FenceState.Failed, $"{target}: the server did not take the read-only setting after pg_reload_conf().");
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, deadline.Token);
            }
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return new FenceResult(FenceState.Failed, e.Message);
        }
        catch (PostgresException e) when (e.SqlState == "42501")
        {
            return new FenceResult(FenceState.Failed, $"{target}: the configured role may not fence ({PostgresConnections.Explain(e)}); it needs ALTER SYSTEM and pg_terminate_backend (a superuser).");
        }
        catch (Exception e) when (PostgresConnections.IsTransient(e) || (e is OperationCanceledException && deadline.Expired))
        {
            return new FenceResult(FenceState.Unreachable, $"{target} unreachable: {(deadline.Expired ? $"timed out after {deadline.Timeout.TotalSeconds:F0} s" : PostgresConnections.Explain(e))}");
        }
    }

    public async Task<InfraActionResult> UnfenceAsync(string region, CancellationToken cancellationToken)
    {
        var target = connections.Describe(region);
        using var deadline = new OperationDeadline(_options.StatusTimeout, time, cancellationToken);
        try
        {
            await using var conn = await connections.OpenAsync(region, deadline.Token);
            if (await PostgresReplicationQueries.InRecoveryAsync(conn, deadline.Token))
                return InfraActionResult.NoOp($"{target} is a replica; nothing to unfence.");
            await ExecuteAsync(conn, "SET default_transaction_read_only = off", deadline.Token);
            await ExecuteAsync(conn, "ALTER SYSTEM RESET default_transaction_read_only", deadline.Token);
            await ExecuteAsync(conn, "SELECT pg_reload_conf()", deadline.Token);
            return InfraActionResult.Done($"{target} accepts writes again (default_transaction_read_only reset).");
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return InfraActionResult.Failed(e.Message);
        }
        catch (Exception e) when (PostgresConnections.IsTransient(e) || (e is OperationCanceledException && deadline.Expired))
        {
            return InfraActionResult.Failed($"{target} unreachable for unfencing: {PostgresConnections.Explain(e)}", transient: true);
        }
    }

    public async Task<string> FlushedLsnAsync(string region, CancellationToken cancellationToken)
    {
        await using var conn = await connections.OpenAsync(region, cancellationToken);
        return await ScalarAsync(conn, "SELECT pg_current_wal_flush_lsn()::text", cancellationToken);
    }

    public async Task<(bool Replayed, string ReplayLsn)> HasReplayedAsync(string region, string lsn, CancellationToken cancellationToken)
    {
        await using var conn = await connections.OpenAsync(region, cancellationToken);
        await using var cmd = new NpgsqlCommand(
            "SELECT COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn())::text, pg_wal_lsn_diff(COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn()), @lsn::pg_lsn) >= 0",
            conn);
        cmd.Parameters.AddWithValue("lsn", lsn);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return (r.GetBoolean(1), r.GetString(0));
    }

    private static async Task<bool> WriteRefusedAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(conn, $"INSERT INTO {PostgresHeartbeat.Table} (written_by) VALUES ('fence-check')", cancellationToken);
            return false;
        }
        catch (PostgresException e) when (e.SqlState is "25006" or "42P01")
        {
            // 25006: read-only transaction. 42P01 (no table yet) cannot tell: try a harmless DDL instead.
            if (e.SqlState == "25006") return true;
            try
            {
                await ExecuteAsync(conn, "CREATE TABLE drbot_fence_check (x int); DROP TABLE drbot_fence_check", cancellationToken);
                return false;
            }
            catch (PostgresException again) when (again.SqlState == "25006")
            {
                return true;
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToString(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }
}
