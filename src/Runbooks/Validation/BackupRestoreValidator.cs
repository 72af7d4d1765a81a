using System.Data;
using System.Globalization;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.PostMortems;
using Npgsql;

namespace DrBot.Runbooks.Validation;

/// <summary>
/// The strategy's monthly full backup-restore test on a real PostgreSQL: restore the latest base
/// backup (a fresh <c>pg_basebackup</c> from the primary with its WAL, or a configured backup
/// folder) into a scratch instance on a free loopback port, compare row counts and checksums of the
/// configured tables with the source, run the smoke queries, measure the restore time against the
/// tier RTO, and remove the scratch instance whatever happened.
/// </summary>
/// <remarks>
/// The source is checksummed before and after the backup. A table unchanged across the backup must
/// restore identically (a difference is corruption); a table written during the backup cannot be
/// compared row for row and is reported as such, not as a failure.
/// </remarks>
public sealed class BackupRestoreValidator(ValidationOptions options, TimeProvider time)
{
    private readonly PostgresTools _tools = new(options);

    public async Task<ValidationOutcome> RunAsync(string sourceConnectionString, TimeSpan rtoTarget, CancellationToken cancellationToken)
    {
        var source = new NpgsqlConnectionStringBuilder(sourceConnectionString);
        var notes = new List<string>();
        var criteria = new List<CriterionResult>();
        var scratch = Path.Combine(options.ScratchDirectory ?? Path.GetTempPath(), "drbot-restore-" + Guid.NewGuid().ToString("N"));
        var dataDir = Path.Combine(scratch, "data");
        var started = false;
        TimeSpan? restoreTime = null;
        var clock = time.GetTimestamp();
        try
        {
            Directory.CreateDirectory(scratch);
            await _tools.GiveToServerUserAsync(scratch, cancellationToken);
            var before = await SourceChecksumsAsync(sourceConnectionString, cancellationToken);
            if (options.BackupPath is { Length: > 0 } backupPath)
            {
                await CopyBackupAsync(backupPath, dataDir, cancellationToken);
                notes.Add($"Restoring the configured base backup {backupPath}.");
            }
            else
            {
                await _tools.RunAsync("pg_basebackup", ["-h", source.Host ?? "127.0.0.1", "-p", source.Port.ToString(CultureInfo.InvariantCulture), "-U", source.Username ?? "postgres",
                    "-D", dataDir, "-X", "stream", "-c", "fast", "--no-sync"], TimeSpan.FromHours(6), cancellationToken,
                    source.Password is { } password ? new Dictionary<string, string> { ["PGPASSWORD"] = password } : null);
                notes.Add($"Base backup taken from {source.Host}:{source.Port} with pg_basebackup (WAL streamed).");
            }
            var after = await SourceChecksumsAsync(sourceConnectionString, cancellationToken);

            var port = PostgresTools.FreePort();
            await PrepareScratchAsync(dataDir, port, cancellationToken);
            await _tools.RunAsync("pg_ctl", ["-D", dataDir, "-l", Path.Combine(scratch, "server.log"), "-w", "-t", "600", "start"], TimeSpan.FromMinutes(11), cancellationToken);
            started = true;
            var scratchConnection = new NpgsqlConnectionStringBuilder(sourceConnectionString) { Host = "127.0.0.1", Port = port, Pooling = false }.ConnectionString;
            await using (var probe = new NpgsqlConnection(scratchConnection))
                await probe.OpenAsync(cancellationToken);
            restoreTime = time.GetElapsedTime(clock);
            notes.Add($"Scratch instance accepted queries on 127.0.0.1:{port} after {PostMortemDraft.Span(restoreTime)}.");

            criteria.AddRange(await CompareAsync(scratchConnection, before, after, cancellationToken));
            criteria.AddRange(await SmokeAsync(scratchConnection, cancellationToken));
            criteria.Add(new CriterionResult("Restore time within the RTO", restoreTime <= rtoTarget, PostMortemDraft.Span(restoreTime), $"≤ {PostMortemDraft.Span(rtoTarget)} ({options.Tier} RTO)"));
        }
        catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException or IOException)
        {
            criteria.Add(new CriterionResult("Restore completed", false, ex.Message, "a scratch instance restored from the backup, accepting queries"));
        }
        finally
        {
            await RemoveScratchAsync(scratch, dataDir, started, notes);
        }
        criteria.Add(new CriterionResult("Scratch instance removed", !Directory.Exists(scratch), Directory.Exists(scratch) ? $"{scratch} is still there" : "stopped and deleted", "nothing left behind"));
        return new ValidationOutcome(criteria, notes, restoreTime);
    }

    private async Task<IReadOnlyList<TableChecksum>> SourceChecksumsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        return await TableChecksums.ComputeAsync(connection, options.Tables, cancellationToken);
    }

    private async Task<List<CriterionResult>> CompareAsync(string scratchConnection, IReadOnlyList<TableChecksum> before, IReadOnlyList<TableChecksum> after, CancellationToken cancellationToken)
    {
        var results = new List<CriterionResult>();
        await using var connection = new NpgsqlConnection(scratchConnection);
        await connection.OpenAsync(cancellationToken);
        for (var i = 0; i < options.Tables.Count; i++)
        {
            var table = options.Tables[i];
            var name = $"{table} integrity";
            TableChecksum restored;
            try
            {
                restored = (await TableChecksums.ComputeAsync(connection, [table], cancellationToken))[0];
            }
            catch (PostgresException ex)
            {
                results.Add(new CriterionResult(name, false, $"unreadable: {ex.MessageText}", "row count and checksum equal to the source"));
                continue;
            }
            var (was, now) = (before[i], after[i]);
            if (restored.Rows == now.Rows && restored.Checksum == now.Checksum)
                results.Add(new CriterionResult(name, true, $"{restored.Rows} rows, checksum {restored.Checksum[..8]} equal", "row count and checksum equal to the source"));
            else if (was != now)
                results.Add(new CriterionResult(name, true, $"written during the backup (source {was.Rows} → {now.Rows} rows), restored {restored.Rows} rows: not comparable row for row", "row count and checksum equal to the source"));
            else
                results.Add(new CriterionResult(name, false, $"restored {restored.Rows} rows, checksum {Short(restored.Checksum)}; source {now.Rows} rows, checksum {Short(now.Checksum)}", "row count and checksum equal to the source"));
        }
        return results;
    }

    private async Task<List<CriterionResult>> SmokeAsync(string scratchConnection, CancellationToken cancellationToken)
    {
        var results = new List<CriterionResult>();
        await using var connection = new NpgsqlConnection(scratchConnection);
        await connection.OpenAsync(cancellationToken);
        foreach (var query in options.SmokeQueries)
        {
            try
            {
                await using var command = new NpgsqlCommand(query, connection);
                var value = await command.ExecuteScalarAsync(cancellationToken);
                var ok = value is not (null or DBNull or false or 0 or 0L);
                results.Add(new CriterionResult($"Smoke: {query}", ok, $"returned {Convert.ToString(value, CultureInfo.InvariantCulture) ?? "nothing"}", "succeeds with a value that is not false, null or 0"));
            }
            catch (PostgresException ex)
            {
                results.Add(new CriterionResult($"Smoke: {query}", false, ex.MessageText, "succeeds with a value that is not false, null or 0"));
            }
        }
        return results;
    }

    private async Task CopyBackupAsync(string backupPath, string dataDir, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(backupPath, "PG_VERSION")))
            throw new InvalidOperationException($"{backupPath} is not a plain-format base backup (no PG_VERSION).");
        using var copy = System.Diagnostics.Process.Start("cp", ["-a", backupPath, dataDir]) ?? throw new InvalidOperationException("cp did not start.");
        await copy.WaitForExitAsync(cancellationToken);
        if (copy.ExitCode != 0)
            throw new InvalidOperationException($"Copying {backupPath} failed.");
        await _tools.GiveToServerUserAsync(dataDir, cancellationToken);
    }

    /// <summary>The scratch copy must not act as a standby of, or archive into, the real systems.</summary>
    private async Task PrepareScratchAsync(string dataDir, int port, CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { "standby.signal", "recovery.signal", "postmaster.pid" })
            File.Delete(Path.Combine(dataDir, signal));
        var settings = string.Join('\n', $"port = {port}", "listen_addresses = '127.0.0.1'", $"unix_socket_directories = '{dataDir}'",
            "archive_mode = off", "primary_conninfo = ''", "synchronous_standby_names = ''", "logging_collector = off");
        await File.AppendAllTextAsync(Path.Combine(dataDir, "postgresql.auto.conf"), "\n" + settings + "\n", cancellationToken);
        await _tools.GiveToServerUserAsync(dataDir, cancellationToken);
    }

    private async Task RemoveScratchAsync(string scratch, string dataDir, bool started, List<string> notes)
    {
        if (started)
        {
            try
            {
                await _tools.RunAsync("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"], TimeSpan.FromMinutes(2), CancellationToken.None);
            }
            catch (InvalidOperationException ex)
            {
                notes.Add($"Stopping the scratch instance failed: {ex.Message}");
            }
        }
        try
        {
            if (Directory.Exists(scratch))
                Directory.Delete(scratch, recursive: true);
            notes.Add("Scratch instance stopped and removed.");
        }
        catch (IOException ex)
        {
            notes.Add($"Removing {scratch} failed: {ex.Message}");
        }
    }

    private static string Short(string checksum) => checksum.Length >= 8 ? checksum[..8] : checksum;
}
