using System.Globalization;
using System.Text;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using DrBot.Runbooks.Validation;
using Npgsql;

namespace DrBot.Runbooks.Tests.Validation;

/// <summary>The backup-restore validation on a real PostgreSQL: a scratch instance restored, compared, smoke-tested, timed and removed.</summary>
public sealed class BackupRestoreValidatorTests : IAsyncLifetime
{
    private TempPostgres _postgres = null!;
    private string _scratch = null!;

    public async Task InitializeAsync()
    {
        _postgres = await TempPostgres.StartAsync();
        _scratch = Directory.CreateTempSubdirectory("drbot-scratch-").FullName;
        await ChildProcess.GiveToPostgresAsync(_scratch);
        await _postgres.ExecuteAsync("""
            CREATE TABLE public.orders (id int PRIMARY KEY, note text NOT NULL);
            INSERT INTO public.orders SELECT n, 'order-' || n FROM generate_series(1, 500) n;
            UPDATE public.orders SET note = 'canary-0042' WHERE id = 42;
            CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL);
            INSERT INTO public.customers VALUES (1, 'ada'), (2, 'grace');
            CHECKPOINT;
            """);
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        Directory.Delete(_scratch, recursive: true);
    }

    private ValidationOptions Options(string? backupPath = null) => new()
    {
        Tables = ["public.orders", "public.customers"],
        SmokeQueries = ["SELECT count(*) FROM public.orders", "SELECT exists(SELECT 1 FROM public.customers WHERE name = 'ada')"],
        ScratchDirectory = _scratch,
        BackupPath = backupPath,
    };

    [Fact]
    public async Task A_fresh_base_backup_restores_with_equal_checksums_passing_smoke_queries_and_the_scratch_removed()
    {
        var outcome = await new BackupRestoreValidator(Options(), TimeProvider.System).RunAsync(_postgres.Server.ConnectionString, TimeSpan.FromMinutes(15), CancellationToken.None);

        Assert.True(outcome.Passed, string.Join("\n", outcome.Criteria.Select(c => $"{c.Name}: {c.Passed} {c.Measured}")));
        Assert.Equal("500 rows", outcome.Criteria.Single(c => c.Name == "public.orders integrity").Measured[..8]);
        Assert.Equal("returned 500", outcome.Criteria.Single(c => c.Name == "Smoke: SELECT count(*) FROM public.orders").Measured);
        Assert.NotNull(outcome.RestoreTime);
        Assert.True(outcome.RestoreTime > TimeSpan.Zero);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch));
        Assert.Contains(outcome.Notes, n => n.Contains("pg_basebackup", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_corrupted_table_in_the_backup_is_detected_and_a_failing_smoke_query_reported()
    {
        var backup = Path.Combine(_scratch, "backup");
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "pg_basebackup"),
            ["-h", "127.0.0.1", "-p", _postgres.Server.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-D", backup, "-X", "stream", "-c", "fast", "--no-sync"], asPostgres: true);
        await CorruptAsync(backup, "public.orders", "canary-0042", "canary-0043");
        var options = Options(backup);
        options.SmokeQueries.Add("SELECT count(*) FROM public.invoices");

        var outcome = await new BackupRestoreValidator(options, TimeProvider.System).RunAsync(_postgres.Server.ConnectionString, TimeSpan.FromMinutes(15), CancellationToken.None);

        Assert.False(outcome.Passed);
        var orders = outcome.Criteria.Single(c => c.Name == "public.orders integrity");
        Assert.False(orders.Passed);
        Assert.StartsWith("restored 500 rows", orders.Measured, StringComparison.Ordinal);   // same count, different content
        Assert.True(outcome.Criteria.Single(c => c.Name == "public.customers integrity").Passed);
        var missing = outcome.Criteria.Single(c => c.Name == "Smoke: SELECT count(*) FROM public.invoices");
        Assert.False(missing.Passed);
        Assert.Contains("does not exist", missing.Measured, StringComparison.Ordinal);
        Assert.True(outcome.Criteria.Single(c => c.Name == "Scratch instance removed").Passed);
        Assert.Equal([backup], Directory.EnumerateFileSystemEntries(_scratch));   // only the test's own backup is left
    }

    [Fact]
    public async Task An_unreachable_source_fails_the_restore_with_the_reason_and_leaves_nothing_behind()
    {
        var outcome = await new BackupRestoreValidator(Options(), TimeProvider.System).RunAsync(
            $"Host=127.0.0.1;Port={ChildProcess.FreePort()};Username=postgres;Database=postgres;Timeout=2", TimeSpan.FromMinutes(15), CancellationToken.None);
        var restore = outcome.Criteria.Single(c => c.Name == "Restore completed");
        Assert.False(restore.Passed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch));
    }

    /// <summary>Flips bytes of one row inside the table's data file in the backup, as a bad disk would.</summary>
    private async Task CorruptAsync(string backup, string table, string find, string replace)
    {
        await using var connection = new NpgsqlConnection(_postgres.Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT pg_relation_filepath('{table}')", connection);
        var file = Path.Combine(backup, (string)(await command.ExecuteScalarAsync())!);
        var bytes = await File.ReadAllBytesAsync(file);
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(find));
        Assert.True(at >= 0, $"'{find}' not found in {file}");
        Encoding.ASCII.GetBytes(replace).CopyTo(bytes, at);
        await File.WriteAllBytesAsync(file, bytes);
    }
}
