using DrBot.Runbooks.Infrastructure.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Infrastructure.Postgres;

/// <summary>
/// A self-hosted PostgreSQL region through Npgsql: role and lag from the server's own views,
/// promotion with <c>pg_promote</c> (verified before, polled until it has left recovery, then a
/// committed write read back), and the marker table that proves
/// which writes survived a failover.
/// </summary>
public sealed partial class PostgresDatabaseReplica : IDatabaseReplica
{
    private readonly PostgresConnections _connections;
    private readonly LiveInfrastructureOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresDatabaseReplica> _log;

    public PostgresDatabaseReplica(PostgresConnections connections, IOptions<LiveInfrastructureOptions> options, TimeProvider time, ILogger<PostgresDatabaseReplica> log)
    {
        _connections = connections;
        _options = options.Value;
        _time = time;
        _log = log;
    }

    public async Task<DatabaseStatus> GetStatusAsync(string region, CancellationToken cancellationToken)
    {
        using var deadline = new OperationDeadline(_options.StatusTimeout, _time, cancellationToken);
        try
        {
            return await _connections.RunAsync(region,
                (conn, token) => PostgresReplicationQueries.ReadStatusAsync(conn, region, _connections.Describe(region), token), deadline.Token);
        }
        catch (Exception e) when (Unreachable(e, deadline) || e is InfrastructureNotConfiguredException)
        {
            return new DatabaseStatus(region, false, false, null, null, $"{_connections.Describe(region)} unreachable: {Reason(e, deadline)}");
        }
    }

    public async Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken)
    {
        var target = _connections.Describe(region);
        var started = _time.GetTimestamp();
        using var deadline = new OperationDeadline(_options.PromoteTimeout, _time, cancellationToken);
        try
        {
            return await _connections.RunAsync(region, (conn, token) => PromoteOnAsync(conn, region, target, started, token), deadline.Token);
        }
        catch (PostgresException e) when (e.SqlState == "42501")
        {
            return InfraActionResult.Failed($"{target}: the configured role may not promote ({PostgresConnections.Explain(e)}); grant EXECUTE on pg_promote or use a superuser.");
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return InfraActionResult.Failed(e.Message);
        }
        catch (Exception e) when (Unreachable(e, deadline))
        {
            LogFailed(_log, region, target, Reason(e, deadline));
            return InfraActionResult.Failed($"{target}: promotion failed: {Reason(e, deadline)}", transient: true);
        }
    }

    /// <summary>Checks, signals and polls on one session: two round trips and the polls before the server takes writes.</summary>
    private async Task<InfraActionResult> PromoteOnAsync(NpgsqlConnection conn, string region, string target, long started, CancellationToken cancellationToken)
    {
        bool inRecovery, signalled;
        DateTimeOffset? lastReplayed;
        try
        {
            (inRecovery, lastReplayed, signalled) = await PostgresReplicationQueries.SignalPromotionAsync(conn, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == "55000")
        {
            // "recovery is not in progress": someone promoted it between our check and our call.
            return InfraActionResult.NoOp($"{target} was promoted concurrently; it is a primary now.");
        }
        if (!inRecovery)
            return InfraActionResult.NoOp($"{target} is already a primary (not in recovery); nothing promoted.");
        var wait = TimeSpan.FromSeconds(Math.Clamp(_options.PromoteTimeout.TotalSeconds - 5, 1, 60));
        if (!signalled)
            return InfraActionResult.Failed($"{target}: pg_promote could not signal the promotion; the server is still in recovery.", transient: true);
        if (!await PostgresReplicationQueries.WaitUntilPromotedAsync(conn, wait, _time, cancellationToken))
            return InfraActionResult.Failed($"{target}: the promotion did not finish within {wait.TotalSeconds:F0} s; the server is still in recovery.", transient: true);

        var check = await VerifyWritesAsync(conn, lastReplayed, cancellationToken);
        var elapsed = _time.GetElapsedTime(started);
        LogPromoted(_log, region, target, elapsed.TotalMilliseconds);
        return InfraActionResult.Done($"{target} promoted to primary in {elapsed.TotalMilliseconds:F0} ms; accepts writes ({check}).");
    }

    public async Task<InfraActionResult> WriteMarkerAsync(string region, string marker, CancellationToken cancellationToken)
    {
        var target = _connections.Describe(region);
        using var deadline = new OperationDeadline(_options.StatusTimeout, _time, cancellationToken);
        try
        {
            await using var conn = await _connections.OpenAsync(region, deadline.Token);
            if (await PostgresReplicationQueries.InRecoveryAsync(conn, deadline.Token))
                return InfraActionResult.Failed($"{target} is a replica; a failover marker must be written on the primary.");
            var lsn = await PostgresFailoverMarkers.WriteAsync(conn, marker, "marker", null, deadline.Token);
            return InfraActionResult.Done($"marker '{marker}' written on {target} at WAL {lsn}.");
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return InfraActionResult.Failed(e.Message);
        }
        catch (Exception e) when (Unreachable(e, deadline))
        {
            return InfraActionResult.Failed($"{target}: could not write marker: {Reason(e, deadline)}", transient: true);
        }
    }

    public async Task<ConsistencyReport> CheckConsistencyAsync(string newPrimaryRegion, string marker, CancellationToken cancellationToken)
    {
        var target = _connections.Describe(newPrimaryRegion);
        using var deadline = new OperationDeadline(_options.StatusTimeout, _time, cancellationToken);
        try
        {
            await using var conn = await _connections.OpenAsync(newPrimaryRegion, deadline.Token);
            var found = await PostgresFailoverMarkers.FindAsync(conn, marker, deadline.Token);
            if (found is not null)
                return new ConsistencyReport(true,
                    $"marker '{marker}' (written {found.WrittenAt:O} at WAL {found.Lsn}) is on {target}: no write before it was lost.",
                    TimeSpan.Zero);

            var promotion = await PostgresFailoverMarkers.LastPromotionAsync(conn, deadline.Token);
            if (promotion is { LastReplayed: { } replayed } p)
            {
                var window = p.PromotedAt - replayed;
                return new ConsistencyReport(false,
                    $"marker '{marker}' is missing on {target}: writes committed on the old primary after {replayed:O} may be lost (up to {window.TotalSeconds:F1} s before the promotion).",
                    window);
            }
            return new ConsistencyReport(false, $"marker '{marker}' is missing on {target}; the data-loss window is unknown (no promotion record).");
        }
        catch (Exception e) when (Unreachable(e, deadline) || e is InfrastructureNotConfiguredException)
        {
            return new ConsistencyReport(false, $"{target} unreachable for the consistency check: {Reason(e, deadline)}");
        }
    }

    /// <summary>A real, committed write to a drbot table, read back: a temp table or a rolled-back write would prove nothing.</summary>
    private static async Task<string> VerifyWritesAsync(NpgsqlConnection conn, DateTimeOffset? lastReplayed, CancellationToken cancellationToken)
    {
        var marker = $"promotion-{Guid.NewGuid():N}";
        var lsn = await PostgresFailoverMarkers.WriteAsync(conn, marker, "promotion", lastReplayed, cancellationToken);
        var back = await PostgresFailoverMarkers.FindAsync(conn, marker, cancellationToken)
            ?? throw new InvalidOperationException("the verification write was not readable back");
        return $"verification row written at WAL {lsn} {back.WrittenAt:O}";
    }

    private static bool Unreachable(Exception e, OperationDeadline deadline) =>
        PostgresConnections.IsTransient(e) || (e is InvalidOperationException && e is not InfrastructureNotConfiguredException) || (e is OperationCanceledException && deadline.Expired);

    private static string Reason(Exception e, OperationDeadline deadline) =>
        e is OperationCanceledException && deadline.Expired ? $"timed out after {deadline.Timeout.TotalSeconds:F0} s" : PostgresConnections.Explain(e);

    [LoggerMessage(EventId = LogEvents.DatabasePromoted, Level = LogLevel.Information, Message = "Promoted PostgreSQL of {Region} ({Target}) in {ElapsedMs} ms")]
    private static partial void LogPromoted(ILogger logger, string region, string target, double elapsedMs);

    [LoggerMessage(EventId = LogEvents.DatabasePromotionFailed, Level = LogLevel.Warning, Message = "Promotion of PostgreSQL of {Region} ({Target}) failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string region, string target, string reason);
}
