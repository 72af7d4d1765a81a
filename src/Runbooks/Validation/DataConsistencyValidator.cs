using System.Data;
using System.Globalization;
using DrBot.Runbooks.Drills;
using Npgsql;
using NpgsqlTypes;

namespace DrBot.Runbooks.Validation;

/// <summary>
/// The strategy's weekly data-consistency check on real PostgreSQL: per-table checksums of the
/// configured tables on the primary and on the replica at one LSN, the replication status
/// (<c>pg_stat_replication</c>) and WAL archiving (<c>pg_stat_archiver</c>).
/// </summary>
/// <remarks>
/// One LSN: the primary's checksums count only when no WAL was written while they were taken
/// (the LSN before equals the LSN after); the replica is read once it has replayed that LSN, in a
/// snapshot whose replay position is recorded. A difference seen while the replica had already
/// replayed newer WAL is retried, not reported.
/// </remarks>
public sealed class DataConsistencyValidator(ValidationOptions options)
{
    private const int Attempts = 5;

    /// <summary>The replica replays in real time: waiting for it takes the real clock even where a test drives the bot's.</summary>
    private static readonly TimeProvider ServerClock = TimeProvider.System;

    public async Task<ValidationOutcome> RunAsync(string primaryConnectionString, string replicaConnectionString, CancellationToken cancellationToken)
    {
        var criteria = new List<CriterionResult>();
        var notes = new List<string>();
        try
        {
            criteria.AddRange(await CompareAsync(primaryConnectionString, replicaConnectionString, notes, cancellationToken));
            await using var primary = new NpgsqlConnection(primaryConnectionString);
            await primary.OpenAsync(cancellationToken);
            criteria.Add(await ReplicationAsync(primary, cancellationToken));
            criteria.Add(await ArchivingAsync(primary, cancellationToken));
        }
        catch (NpgsqlException ex)
        {
            criteria.Add(new CriterionResult("Databases reachable", false, ex.Message, "primary and replica answer"));
        }
        return new ValidationOutcome(criteria, notes);
    }

    /// <summary>The data-consistency runbook's checks, one at a time: per-table checksums at one LSN (with a note on the LSN).</summary>
    public async Task<(IReadOnlyList<CriterionResult> Criteria, IReadOnlyList<string> Notes)> CompareTablesAsync(string primaryConnectionString, string replicaConnectionString, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        return (await CompareAsync(primaryConnectionString, replicaConnectionString, notes, cancellationToken), notes);
    }

    /// <summary><c>pg_stat_replication</c> on the primary: a standby streaming.</summary>
    public async Task<CriterionResult> ReplicationAsync(string primaryConnectionString, CancellationToken cancellationToken)
    {
        await using var primary = new NpgsqlConnection(primaryConnectionString);
        await primary.OpenAsync(cancellationToken);
        return await ReplicationAsync(primary, cancellationToken);
    }

    /// <summary><c>pg_stat_archiver</c> on the primary: archiving on, segments archived, no failure since the last success.</summary>
    public async Task<CriterionResult> ArchivingAsync(string primaryConnectionString, CancellationToken cancellationToken)
    {
        await using var primary = new NpgsqlConnection(primaryConnectionString);
        await primary.OpenAsync(cancellationToken);
        return await ArchivingAsync(primary, cancellationToken);
    }

    private async Task<List<CriterionResult>> CompareAsync(string primaryConnectionString, string replicaConnectionString, List<string> notes, CancellationToken cancellationToken)
    {
        await using var primary = new NpgsqlConnection(primaryConnectionString);
        await primary.OpenAsync(cancellationToken);
        await using var replica = new NpgsqlConnection(replicaConnectionString);
        await replica.OpenAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            IReadOnlyList<TableChecksum> onPrimary;
            NpgsqlLogSequenceNumber before, after;
            await using (var snapshot = await primary.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
            {
                before = await LsnAsync(primary, "pg_current_wal_lsn()", cancellationToken);
                onPrimary = await TableChecksums.ComputeAsync(primary, options.Tables, cancellationToken);
                after = await LsnAsync(primary, "pg_current_wal_lsn()", cancellationToken);
            }
            if (before != after && attempt < Attempts)
                continue;
            await WaitForReplayAsync(replica, after, cancellationToken);
            IReadOnlyList<TableChecksum> onReplica;
            NpgsqlLogSequenceNumber replayed;
            await using (var snapshot = await replica.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
            {
                replayed = await LsnAsync(replica, "pg_last_wal_replay_lsn()", cancellationToken);
                onReplica = await TableChecksums.ComputeAsync(replica, options.Tables, cancellationToken);
            }
            var equal = onPrimary.Zip(onReplica).All(p => p.First == p.Second);
            if (!equal && (replayed != after || before != after) && attempt < Attempts)
                continue;
            var exact = before == after && replayed == after;
            notes.Add(exact ? $"Compared at LSN {after} (attempt {attempt})." : $"The primary kept writing: compared primary at {after}, replica at {replayed} after {attempt} attempts.");
            return onPrimary.Zip(onReplica).Select(p => p.First == p.Second
                ? new CriterionResult($"{p.First.Table} primary = replica", true, $"{p.First.Rows} rows, checksum {p.First.Checksum[..Math.Min(8, p.First.Checksum.Length)]} at LSN {after}", "equal row count and checksum at one LSN")
                : new CriterionResult($"{p.First.Table} primary = replica", false, $"primary {p.First.Rows} rows {Short(p.First.Checksum)}, replica {p.Second.Rows} rows {Short(p.Second.Checksum)} at LSN {replayed}", "equal row count and checksum at one LSN")).ToList();
        }
    }

    private async Task WaitForReplayAsync(NpgsqlConnection replica, NpgsqlLogSequenceNumber target, CancellationToken cancellationToken)
    {
        var deadline = ServerClock.GetUtcNow() + TimeSpan.FromSeconds(60);
        while (await LsnAsync(replica, "pg_last_wal_replay_lsn()", cancellationToken) < target)
        {
            if (ServerClock.GetUtcNow() > deadline)
                throw new NpgsqlException($"The replica did not replay up to {target} within 60 s.");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ServerClock, cancellationToken);
        }
    }

    private static async Task<CriterionResult> ReplicationAsync(NpgsqlConnection primary, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT application_name, state, coalesce(extract(epoch FROM replay_lag), 0)::float8 FROM pg_stat_replication", primary);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var standbys = new List<string>();
        var streaming = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            streaming += reader.GetString(1) == "streaming" ? 1 : 0;
            standbys.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(0)} {reader.GetString(1)}, replay lag {reader.GetDouble(2):0.###} s"));
        }
        return new CriterionResult("Replication streaming", streaming > 0, standbys.Count == 0 ? "no standby connected" : string.Join("; ", standbys), "at least one standby streaming");
    }

    private static async Task<CriterionResult> ArchivingAsync(NpgsqlConnection primary, CancellationToken cancellationToken)
    {
        await using var mode = new NpgsqlCommand("SELECT current_setting('archive_mode')", primary);
        var archiveMode = (string)(await mode.ExecuteScalarAsync(cancellationToken))!;
        await using var command = new NpgsqlCommand("SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal, last_failed_time FROM pg_stat_archiver", primary);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var archived = reader.GetInt64(0);
        var lastArchived = reader.IsDBNull(2) ? (DateTime?)null : reader.GetDateTime(2);
        var failed = reader.GetInt64(3);
        var lastFailed = reader.IsDBNull(5) ? (DateTime?)null : reader.GetDateTime(5);
        var measured = string.Create(CultureInfo.InvariantCulture,
            $"archive_mode {archiveMode}; archived {archived} (last {(reader.IsDBNull(1) ? "none" : reader.GetString(1))}{(lastArchived is { } la ? $" at {la:yyyy-MM-dd HH:mm:ss} UTC" : "")}); failed {failed}{(lastFailed is { } lf ? $" (last {reader.GetString(4)} at {lf:yyyy-MM-dd HH:mm:ss} UTC)" : "")}");
        var healthy = archiveMode != "off" && archived > 0 && (lastFailed is null || lastArchived > lastFailed);
        return new CriterionResult("WAL archiving", healthy, measured, "archive_mode on, segments archived, no failure since the last success");
    }

    private static async Task<NpgsqlLogSequenceNumber> LsnAsync(NpgsqlConnection connection, string function, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}", connection);
        return (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static string Short(string checksum) => checksum.Length >= 8 ? checksum[..8] : checksum;
}
