using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace DrBot.Runbooks.Validation;

/// <summary>
/// The backup-restore runbook's work, one method per step, on real PostgreSQL: take the base
/// backup (keeping the primary's WAL with a replication slot), read the source at one LSN on the
/// replica paused there, restore the backup into a scratch instance to exactly that LSN, compare,
/// and remove everything made. Each returns the <see cref="BackupRestoreState"/> so far.
/// </summary>
/// <remarks>
/// Why the replica: a primary's snapshot does not correspond to one WAL position, but a standby
/// whose replay is paused shows exactly the commits replayed up to <c>pg_last_wal_replay_lsn()</c>.
/// The scratch copy replays the backup's WAL up to that LSN (<c>recovery_target_lsn</c>, not
/// inclusive: all WAL before it), so both show the same commits and any difference
/// in a table is corruption, whatever was written meanwhile.
/// </remarks>
public sealed class BackupRestoreSteps(ValidationOptions options, TimeProvider time)
{
    private readonly PostgresTools _tools = new(options);

    /// <summary>
    /// PostgreSQL runs in real time: waiting for it (the polls and their deadlines) takes the real clock
    /// even where the bot's clock is driven by a test, which would otherwise never end a poll's wait.
    /// </summary>
    private static readonly TimeProvider ServerClock = TimeProvider.System;

    public const string SlotPrefix = "drbot_restore_";

    /// <summary>Pre-checks: tables configured, both servers answer, the replica replays; slots left by an interrupted restore are dropped.</summary>
    public async Task<string> PreCheckAsync(string primary, string? replica, CancellationToken cancellationToken)
    {
        if (options.Tables.Count == 0)
            throw new InvalidOperationException("No table to compare: set DrBot:Validation:Tables (schema.table).");
        foreach (var table in options.Tables)
            TableChecksums.Quote(table);
        _ = _tools.BinDir;
        await using var source = await OpenAsync(primary, cancellationToken);
        if (await ScalarAsync<bool>(source, "SELECT pg_is_in_recovery()", cancellationToken))
            throw new InvalidOperationException("The source of the backup is a replica; name the primary region (DrBot:Validation:PrimaryRegion).");
        var dropped = await ScalarAsync<long>(source,
            $"SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name LIKE '{SlotPrefix}%' AND NOT active", cancellationToken);
        if (options.BackupPath is not { Length: > 0 })
        {
            if (replica is null)
                throw new InvalidOperationException("The source is read at the backup's LSN on the replica: set DrBot:Regions:<replica>:Database:ConnectionString (or DrBot:Validation:ReplicaRegion).");
            await using var standby = await OpenAsync(replica, cancellationToken);
            if (!await ScalarAsync<bool>(standby, "SELECT pg_is_in_recovery()", cancellationToken))
                throw new InvalidOperationException("The replica is not in recovery (a primary itself): it cannot be paused at the backup's LSN.");
        }
        return $"source primary and {(replica is null ? "no replica" : "replica")} answer; {options.Tables.Count} tables configured" + (dropped > 0 ? $"; dropped {dropped} slot(s) left by an interrupted restore" : "");
    }

    /// <summary>Creates the scratch folder and the slot, then takes the base backup (or copies the configured one) and reads its WAL range.</summary>
    public async Task<BackupRestoreState> TakeBackupAsync(string primary, string token, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(options.ScratchDirectory ?? Path.GetTempPath(), "drbot-restore-" + token);
        var state = new BackupRestoreState { ScratchDirectory = scratch, BackupStartedAt = time.GetUtcNow() };
        if (Directory.Exists(scratch))
            Directory.Delete(scratch, recursive: true); // a repeat of this step after a crash starts over
        Directory.CreateDirectory(state.WalDirectory);
        await _tools.GiveToServerUserAsync(scratch, cancellationToken);
        if (options.BackupPath is { Length: > 0 } backupPath)
        {
            await CopyBackupAsync(backupPath, state.DataDirectory, cancellationToken);
            state = state with { FromConfiguredBackup = true };
        }
        else
        {
            var slot = SlotPrefix + new string([.. token.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
            await using (var source = await OpenAsync(primary, cancellationToken))
            {
                await using var create = new NpgsqlCommand("SELECT pg_create_physical_replication_slot(@slot, true) FROM (SELECT 1) s WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = @slot)", source);
                create.Parameters.AddWithValue("slot", slot);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            state = state with { Slot = slot };
            var b = new NpgsqlConnectionStringBuilder(primary);
            await _tools.RunAsync("pg_basebackup", [.. Connect(b), "-D", state.DataDirectory, "-X", "stream", "-c", "fast", "--no-sync"], TimeSpan.FromHours(6), cancellationToken, Password(b));
        }
        var (start, stop) = await ReadWalRangeAsync(state.DataDirectory, cancellationToken);
        return state with { BackupStartLsn = start, BackupStopLsn = stop };
    }

    /// <summary>
    /// Waits until the replica has replayed past the backup's end, pauses its replay, checksums the
    /// tables at that LSN in one snapshot and resumes replay whatever happened.
    /// </summary>
    public async Task<BackupRestoreState> ReadSourceAtLsnAsync(BackupRestoreState state, string replica, CancellationToken cancellationToken)
    {
        if (state.FromConfiguredBackup)
            return state with { CompareLsn = state.BackupStopLsn };
        await using var standby = await OpenAsync(replica, cancellationToken);
        var deadline = ServerClock.GetUtcNow() + options.ReplayWait;
        while (!await LsnAtLeastAsync(standby, "pg_last_wal_replay_lsn()", state.BackupStopLsn!, cancellationToken))
        {
            if (ServerClock.GetUtcNow() > deadline)
                throw new InvalidOperationException($"The replica did not replay up to the backup's end {state.BackupStopLsn} within {options.ReplayWait}.");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ServerClock, cancellationToken);
        }
        await ExecuteAsync(standby, "SELECT pg_wal_replay_pause()", cancellationToken);
        try
        {
            while (await ScalarAsync<string>(standby, "SELECT pg_get_wal_replay_pause_state()", cancellationToken) != "paused")
                await Task.Delay(TimeSpan.FromMilliseconds(20), ServerClock, cancellationToken);
            await using var snapshot = await standby.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var lsn = (await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(standby, "SELECT pg_last_wal_replay_lsn()", cancellationToken)).ToString();
            var sums = await TableChecksums.ComputeAsync(standby, options.Tables, cancellationToken);
            return state with { CompareLsn = lsn, SourceChecksums = sums.ToDictionary(s => s.Table, s => $"{s.Rows}:{s.Checksum}", StringComparer.Ordinal) };
        }
        finally
        {
            await using var resume = await OpenAsync(replica, CancellationToken.None);
            await ExecuteAsync(resume, "SELECT pg_wal_replay_resume()", CancellationToken.None);
        }
    }

    /// <summary>
    /// Fetches the primary's WAL through the slot past the compare LSN, starts the scratch instance
    /// recovering to exactly that LSN (or to the backup's consistent end, for a configured backup),
    /// and waits until it has promoted. The restore time runs from the start of the backup.
    /// </summary>
    public async Task<BackupRestoreState> RestoreAsync(BackupRestoreState state, string primary, CancellationToken cancellationToken)
    {
        string target;
        if (state.Slot is { } slot)
        {
            var b = new NpgsqlConnectionStringBuilder(primary);
            string end;
            await using (var source = await OpenAsync(primary, cancellationToken))
            {
                // One committed transaction after the compare LSN: the WAL entry recovery stops before exists in the fetched WAL.
                await ExecuteAsync(source, "SELECT txid_current()", cancellationToken);
                end = (await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(source, "SELECT pg_current_wal_flush_lsn()", cancellationToken)).ToString();
            }
            await _tools.RunAsync("pg_receivewal", [.. Connect(b), "-S", slot, "-D", state.WalDirectory, "-E", end, "--no-loop", "--no-sync"], TimeSpan.FromHours(1), cancellationToken, Password(b));
            foreach (var partial in Directory.GetFiles(state.WalDirectory, "*.partial"))
                File.Move(partial, partial[..^".partial".Length], overwrite: true);
            target = $"recovery_target_lsn = '{state.CompareLsn}'\nrecovery_target_inclusive = off";
        }
        else
            target = options.RestoreCommand is { Length: > 0 } ? "recovery_target = 'immediate'" : "";
        var port = PostgresTools.FreePort();
        await PrepareScratchAsync(state, port, target, cancellationToken);
        state = state with { ScratchPort = port };
        try
        {
            await _tools.RunAsync("pg_ctl", ["-D", state.DataDirectory, "-l", state.LogFile, "-w", "-t", "600", "start"], TimeSpan.FromMinutes(11), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{ex.Message} {LogTail(state)}", ex);
        }
        var connection = ScratchConnection(state, primary);
        var deadline = ServerClock.GetUtcNow() + TimeSpan.FromMinutes(30);
        while (true)
        {
            try
            {
                await using var scratch = await OpenAsync(connection, cancellationToken);
                if (!await ScalarAsync<bool>(scratch, "SELECT pg_is_in_recovery()", cancellationToken))
                    break;
            }
            catch (NpgsqlException) when (ServerClock.GetUtcNow() < deadline && ServerRunning(state))
            {
                // still starting
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"The scratch instance stopped during recovery: {ex.Message}. {LogTail(state)}");
            }
            if (ServerClock.GetUtcNow() > deadline)
                throw new InvalidOperationException($"The scratch instance did not finish recovery within 30 min. {LogTail(state)}");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ServerClock, cancellationToken);
        }
        return state with { RestoreSeconds = (time.GetUtcNow() - state.BackupStartedAt!.Value).TotalSeconds };
    }

    public static string ScratchConnection(BackupRestoreState state, string source) =>
        new NpgsqlConnectionStringBuilder(source) { Host = "127.0.0.1", Port = state.ScratchPort ?? 0, Pooling = false }.ConnectionString;

    /// <summary>Stops the scratch instance, deletes its folder and drops the slot; safe to repeat.</summary>
    public async Task<string> RemoveAsync(BackupRestoreState? state, string? primary, CancellationToken cancellationToken)
    {
        if (state is null)
            return "nothing was made";
        var problems = new List<string>();
        if (ServerRunning(state))
        {
            try
            {
                await _tools.RunAsync("pg_ctl", ["-D", state.DataDirectory, "-m", "fast", "-w", "stop"], TimeSpan.FromMinutes(2), cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                problems.Add($"stopping the scratch instance failed: {ex.Message}");
            }
        }
        try
        {
            if (Directory.Exists(state.ScratchDirectory))
                Directory.Delete(state.ScratchDirectory, recursive: true);
        }
        catch (IOException ex)
        {
            problems.Add($"removing {state.ScratchDirectory} failed: {ex.Message}");
        }
        if (state.Slot is { } slot && primary is not null)
        {
            try
            {
                await using var source = await OpenAsync(primary, cancellationToken);
                await using var drop = new NpgsqlCommand("SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = @slot", source);
                drop.Parameters.AddWithValue("slot", slot);
                await drop.ExecuteScalarAsync(cancellationToken);
            }
            catch (NpgsqlException ex)
            {
                problems.Add($"dropping the slot {slot} failed (drop it by hand: it keeps WAL on the primary): {ex.Message}");
            }
        }
        if (problems.Count > 0)
            throw new InvalidOperationException(string.Join("; ", problems));
        return $"scratch instance stopped, {state.ScratchDirectory} deleted{(state.Slot is null ? "" : $", slot {state.Slot} dropped")}";
    }

    public static bool ServerRunning(BackupRestoreState state) => File.Exists(Path.Combine(state.DataDirectory, "postmaster.pid"));

    private static async Task<(string Start, string Stop)> ReadWalRangeAsync(string dataDir, CancellationToken cancellationToken)
    {
        var manifest = Path.Combine(dataDir, "backup_manifest");
        if (!File.Exists(manifest))
            throw new InvalidOperationException($"{dataDir} has no backup_manifest (pg_basebackup without --no-manifest writes one): the backup's LSN is unknown.");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(manifest, cancellationToken));
        var range = json.RootElement.GetProperty("WAL-Ranges").EnumerateArray().Last();
        return (range.GetProperty("Start-LSN").GetString()!, range.GetProperty("End-LSN").GetString()!);
    }

    /// <summary>The scratch copy recovers on its own: it must not act as a standby of, or archive into, the real systems.</summary>
    private async Task PrepareScratchAsync(BackupRestoreState state, int port, string target, CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { "standby.signal", "postmaster.pid" })
            File.Delete(Path.Combine(state.DataDirectory, signal));
        var restore = state.Slot is not null ? $"cp \"{state.WalDirectory}/%f\" \"%p\"" : options.RestoreCommand ?? "";
        var settings = string.Join('\n', $"port = {port}", "listen_addresses = '127.0.0.1'", $"unix_socket_directories = '{state.DataDirectory}'",
            "archive_mode = off", "primary_conninfo = ''", "primary_slot_name = ''", "synchronous_standby_names = ''", "logging_collector = off");
        // Without archived WAL the backup's own WAL is replayed by crash recovery to its consistent end.
        if (target.Length > 0)
        {
            await File.WriteAllTextAsync(Path.Combine(state.DataDirectory, "recovery.signal"), "", cancellationToken);
            settings += $"\nrestore_command = '{restore.Replace("'", "''", StringComparison.Ordinal)}'\n{target}\nrecovery_target_action = 'promote'";
        }
        await File.AppendAllTextAsync(Path.Combine(state.DataDirectory, "postgresql.auto.conf"), "\n" + settings + "\n", cancellationToken);
        await _tools.GiveToServerUserAsync(state.ScratchDirectory, cancellationToken);
    }

    private async Task CopyBackupAsync(string backupPath, string dataDir, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(backupPath, "PG_VERSION")))
            throw new InvalidOperationException($"{backupPath} is not a plain-format base backup (no PG_VERSION).");
        using var copy = System.Diagnostics.Process.Start("cp", ["-a", backupPath, dataDir]) ?? throw new InvalidOperationException("cp did not start.");
        await copy.WaitForExitAsync(cancellationToken);
        if (copy.ExitCode != 0)
            throw new InvalidOperationException($"Copying {backupPath} failed.");
    }

    private static string LogTail(BackupRestoreState state)
    {
        try
        {
            return "Server log: " + string.Join(" | ", File.ReadLines(state.LogFile).TakeLast(4));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static string[] Connect(NpgsqlConnectionStringBuilder b) =>
        ["-h", b.Host ?? "127.0.0.1", "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username ?? "postgres"];

    private static Dictionary<string, string>? Password(NpgsqlConnectionStringBuilder b) =>
        b.Password is { } password ? new Dictionary<string, string> { ["PGPASSWORD"] = password } : null;

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<bool> LsnAtLeastAsync(NpgsqlConnection connection, string function, string lsn, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT coalesce({function} >= @lsn::pg_lsn, false)", connection);
        command.Parameters.AddWithValue("lsn", lsn);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
