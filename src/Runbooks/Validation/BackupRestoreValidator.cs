using System.Globalization;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.PostMortems;
using Npgsql;

namespace DrBot.Runbooks.Validation;

/// <summary>
/// The strategy's monthly full backup-restore test on a real PostgreSQL, as the backup-restore
/// runbook runs it step by step (<see cref="BackupRestoreSteps"/>): the latest base backup restored
/// into a scratch instance to exactly the LSN the replica was paused at, each configured table's row
/// count and checksum compared with the source at that LSN, the smoke queries run, the restore time
/// measured against the tier RTO, and the scratch instance and slot removed whatever happened.
/// </summary>
public sealed class BackupRestoreValidator(ValidationOptions options, TimeProvider time)
{
    private const string Required = "row count and checksum equal to the source at the same LSN";

    /// <summary>All steps in one go (the runbook runs the same methods one step at a time).</summary>
    public async Task<ValidationOutcome> RunAsync(string primary, string? replica, TimeSpan rtoTarget, CancellationToken cancellationToken)
    {
        var steps = new BackupRestoreSteps(options, time);
        var notes = new List<string>();
        var criteria = new List<CriterionResult>();
        BackupRestoreState? state = null;
        try
        {
            notes.Add(await steps.PreCheckAsync(primary, replica, cancellationToken));
            state = await steps.TakeBackupAsync(primary, Guid.NewGuid().ToString("N")[..12], cancellationToken);
            notes.Add(Describe(state));
            state = await steps.ReadSourceAtLsnAsync(state, replica ?? "", cancellationToken);
            state = await steps.RestoreAsync(state, primary, cancellationToken);
            criteria.AddRange(await VerifyAsync(state, primary, rtoTarget, cancellationToken));
        }
        catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException or IOException or ArgumentException)
        {
            criteria.Add(new CriterionResult("Restore completed", false, ex.Message, "a scratch instance restored from the backup, accepting queries"));
        }
        finally
        {
            try
            {
                notes.Add(await steps.RemoveAsync(state, primary, CancellationToken.None));
            }
            catch (InvalidOperationException ex)
            {
                notes.Add(ex.Message);
            }
        }
        var left = state is not null && Directory.Exists(state.ScratchDirectory);
        criteria.Add(new CriterionResult("Scratch instance removed", !left, left ? $"{state!.ScratchDirectory} is still there" : "stopped and deleted", "nothing left behind"));
        return new ValidationOutcome(criteria, notes, state?.RestoreSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
    }

    public static string Describe(BackupRestoreState state) => state.FromConfiguredBackup
        ? $"Configured base backup {state.ScratchDirectory} copied (WAL {state.BackupStartLsn} → {state.BackupStopLsn}); it is restored to its consistent end and cannot be compared with today's source."
        : $"Base backup taken with pg_basebackup (WAL {state.BackupStartLsn} → {state.BackupStopLsn}); slot {state.Slot} keeps the primary's WAL until the restore has it.";

    /// <summary>Integrity of each table against the source at the compare LSN, the smoke queries, and the restore time against the RTO.</summary>
    public async Task<IReadOnlyList<CriterionResult>> VerifyAsync(BackupRestoreState state, string primary, TimeSpan rtoTarget, CancellationToken cancellationToken)
    {
        var results = new List<CriterionResult>();
        await using var connection = new NpgsqlConnection(BackupRestoreSteps.ScratchConnection(state, primary));
        await connection.OpenAsync(cancellationToken);
        foreach (var table in options.Tables)
        {
            var name = $"{table} integrity";
            TableChecksum restored;
            try
            {
                restored = (await TableChecksums.ComputeAsync(connection, [table], cancellationToken))[0];
            }
            catch (PostgresException ex)
            {
                results.Add(new CriterionResult(name, false, $"unreadable: {ex.MessageText}", Required));
                continue;
            }
            if (!state.SourceChecksums.TryGetValue(table, out var source))
            {
                results.Add(new CriterionResult(name, true, $"restored {restored.Rows} rows, checksum {Short(restored.Checksum)}; not compared (a configured backup, not today's source)", Required));
                continue;
            }
            var (rows, checksum) = (long.Parse(source[..source.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture), source[(source.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            results.Add(restored.Rows == rows && restored.Checksum == checksum
                ? new CriterionResult(name, true, $"{rows} rows, checksum {Short(checksum)} equal at LSN {state.CompareLsn}", Required)
                : new CriterionResult(name, false, $"restored {restored.Rows} rows, checksum {Short(restored.Checksum)}; source {rows} rows, checksum {Short(checksum)} at LSN {state.CompareLsn}", Required));
        }
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
        var restoreTime = TimeSpan.FromSeconds(state.RestoreSeconds ?? 0);
        results.Add(new CriterionResult("Restore time within the RTO", restoreTime <= rtoTarget, PostMortemDraft.Span(restoreTime), $"≤ {PostMortemDraft.Span(rtoTarget)} ({options.Tier} RTO)"));
        return results;
    }

    private static string Short(string checksum) => checksum.Length >= 8 ? checksum[..8] : checksum;
}
