using System.Globalization;
using System.Text;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using DrBot.Runbooks.Validation;
using Npgsql;

namespace DrBot.Runbooks.Tests.Validation;

/// <summary>
/// The backup-restore validation on a real primary/replica pair: the latest base backup restored into
/// a scratch instance to exactly the LSN the replica was paused at, compared table by table with the
/// source at that LSN while the primary keeps writing, smoke-tested, timed, and everything removed.
/// </summary>
[Collection(LiveServersCollection.Name)]
public sealed class BackupRestoreValidatorTests(LiveServersFixture servers) : IAsyncLifetime
{
    private PostgresPair _pair = null!;
    private string _scratch = null!;

    public async Task InitializeAsync()
    {
        _pair = await servers.NewPostgresPairAsync();
        _scratch = Directory.CreateTempSubdirectory("drbot-scratch-").FullName;
        await ChildProcess.GiveToPostgresAsync(_scratch);
        await Sql.ExecuteAsync(_pair.Primary.ConnectionString, """
            CREATE TABLE public.orders (id int PRIMARY KEY, note text NOT NULL);
            INSERT INTO public.orders SELECT n, 'order-' || n FROM generate_series(1, 500) n;
            CREATE TABLE public.customers (id int PRIMARY KEY, name text NOT NULL);
            INSERT INTO public.customers VALUES (1, 'ada'), (2, 'grace'), (42, 'canary-0042');
            CHECKPOINT;
            """);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }

    private ValidationOptions Options(string? backupPath = null) => new()
    {
        Tables = ["public.orders", "public.customers"],
        SmokeQueries = ["SELECT count(*) FROM public.orders", "SELECT exists(SELECT 1 FROM public.customers WHERE name = 'ada')"],
        ScratchDirectory = _scratch,
        BackupPath = backupPath,
    };

    [Fact]
    public async Task While_the_primary_keeps_writing_the_backup_restored_to_the_replicas_paused_LSN_equals_the_source_there_and_everything_is_removed()
    {
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(_pair.Primary.ConnectionString);
            await connection.OpenAsync();
            for (var id = 1000; !stop.IsCancellationRequested; id++)
            {
                await using var insert = new NpgsqlCommand($"INSERT INTO public.orders VALUES ({id}, 'late-{id}')", connection);
                await insert.ExecuteNonQueryAsync();
                written++;
            }
        });

        var outcome = await new BackupRestoreValidator(Options(), TimeProvider.System).RunAsync(_pair.Primary.ConnectionString, _pair.Replica.ConnectionString, TimeSpan.FromMinutes(15), CancellationToken.None);
        await stop.CancelAsync();
        await writer;

        Assert.True(outcome.Passed, string.Join("\n", outcome.Criteria.Select(c => $"{c.Name}: {c.Passed} {c.Measured}")));
        var orders = outcome.Criteria.Single(c => c.Name == "public.orders integrity");
        Assert.Matches("^[0-9]+ rows, checksum [0-9a-f]{8} equal at LSN [0-9A-F]+/[0-9A-F]+$", orders.Measured);
        var rowsAtLsn = long.Parse(orders.Measured[..orders.Measured.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        Assert.True(rowsAtLsn > 500, $"the writes before the backup's end are in the restore ({rowsAtLsn} rows)");
        Assert.True(rowsAtLsn < 500 + written, $"the writes after the compare LSN are not ({rowsAtLsn} of {500 + written})");
        Assert.NotNull(outcome.RestoreTime);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(_pair.Primary.ConnectionString, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'drbot_restore_%'"));
        Assert.Equal("not paused", await Sql.ScalarAsync<string>(_pair.Replica.ConnectionString, "SELECT pg_get_wal_replay_pause_state()"));
    }

    [Fact]
    public async Task A_table_corrupted_in_the_backup_is_detected_against_the_source_at_the_same_LSN_and_a_failing_smoke_query_reported()
    {
        var options = Options();
        options.SmokeQueries.Add("SELECT count(*) FROM public.invoices");
        var steps = new BackupRestoreSteps(options, TimeProvider.System);
        await steps.PreCheckAsync(_pair.Primary.ConnectionString, _pair.Replica.ConnectionString, CancellationToken.None);
        var state = await steps.TakeBackupAsync(_pair.Primary.ConnectionString, "corrupt", CancellationToken.None);
        try
        {
            await CorruptAsync(state.DataDirectory, "public.customers", "canary-0042", "canary-0043");
            state = await steps.ReadSourceAtLsnAsync(state, _pair.Replica.ConnectionString, CancellationToken.None);
            state = await steps.RestoreAsync(state, _pair.Primary.ConnectionString, CancellationToken.None);
            var criteria = await new BackupRestoreValidator(options, TimeProvider.System).VerifyAsync(state, _pair.Primary.ConnectionString, TimeSpan.FromMinutes(15), CancellationToken.None);

            var customers = criteria.Single(c => c.Name == "public.customers integrity");
            Assert.False(customers.Passed);
            Assert.StartsWith("restored 3 rows", customers.Measured, StringComparison.Ordinal);   // same count, different content
            Assert.Contains($"at LSN {state.CompareLsn}", customers.Measured, StringComparison.Ordinal);
            Assert.True(criteria.Single(c => c.Name == "public.orders integrity").Passed);
            var missing = criteria.Single(c => c.Name == "Smoke: SELECT count(*) FROM public.invoices");
            Assert.False(missing.Passed);
            Assert.Contains("does not exist", missing.Measured, StringComparison.Ordinal);
        }
        finally
        {
            await steps.RemoveAsync(state, _pair.Primary.ConnectionString, CancellationToken.None);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch));
    }

    [Fact]
    public async Task A_configured_backup_is_restored_to_its_consistent_end_and_not_compared_with_todays_source()
    {
        var backup = Path.Combine(_scratch, "backup");
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "pg_basebackup"),
            ["-h", "127.0.0.1", "-p", _pair.Primary.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-D", backup, "-X", "stream", "-c", "fast", "--no-sync"], asPostgres: true);
        await Sql.ExecuteAsync(_pair.Primary.ConnectionString, "INSERT INTO public.orders VALUES (9999, 'after the backup')");

        var outcome = await new BackupRestoreValidator(Options(backup), TimeProvider.System).RunAsync(_pair.Primary.ConnectionString, null, TimeSpan.FromMinutes(15), CancellationToken.None);

        Assert.True(outcome.Passed, string.Join("\n", outcome.Criteria.Select(c => $"{c.Name}: {c.Passed} {c.Measured}")));
        Assert.StartsWith("restored 500 rows", outcome.Criteria.Single(c => c.Name == "public.orders integrity").Measured, StringComparison.Ordinal);
        Assert.Equal("returned 500", outcome.Criteria.Single(c => c.Name == "Smoke: SELECT count(*) FROM public.orders").Measured);
        Assert.Equal([backup], Directory.EnumerateFileSystemEntries(_scratch));   // only the test's own backup is left
    }

    [Fact]
    public async Task An_unreachable_source_fails_the_restore_with_the_reason_and_leaves_nothing_behind()
    {
        var outcome = await new BackupRestoreValidator(Options(), TimeProvider.System).RunAsync(
            $"Host=127.0.0.1;Port={ChildProcess.FreePort()};Username=postgres;Database=postgres;Timeout=2", _pair.Replica.ConnectionString, TimeSpan.FromMinutes(15), CancellationToken.None);
        Assert.False(outcome.Criteria.Single(c => c.Name == "Restore completed").Passed);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_scratch));
    }

    /// <summary>Flips bytes of one row inside the table's data file in the backup, as a bad disk would.</summary>
    private async Task CorruptAsync(string backup, string table, string find, string replace)
    {
        var file = Path.Combine(backup, await Sql.ScalarAsync<string>(_pair.Primary.ConnectionString, $"SELECT pg_relation_filepath('{table}')"));
        var bytes = await File.ReadAllBytesAsync(file);
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(find));
        Assert.True(at >= 0, $"'{find}' not found in {file}");
        Encoding.ASCII.GetBytes(replace).CopyTo(bytes, at);
        await File.WriteAllBytesAsync(file, bytes);
    }
}
