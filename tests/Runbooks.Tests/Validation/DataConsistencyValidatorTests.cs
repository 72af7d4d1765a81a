using System.Globalization;
using System.Text;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using DrBot.Runbooks.Validation;
using Npgsql;

namespace DrBot.Runbooks.Tests.Validation;

/// <summary>The data-consistency validation on a real primary/replica pair: checksums at one LSN, replication, WAL archiving.</summary>
[Collection(LiveServersCollection.Name)]
public sealed class DataConsistencyValidatorTests(LiveServersFixture servers)
{
    private static readonly ValidationOptions Options = new() { Tables = ["public.ledger", "public.accounts"] };

    [Fact]
    public async Task Equal_tables_and_streaming_replication_pass_and_WAL_archiving_passes_only_once_segments_are_archived()
    {
        var pair = await servers.NewPostgresPairAsync();
        await SeedAsync(pair);
        var validator = new DataConsistencyValidator(Options);

        var first = await validator.RunAsync(pair.Primary.ConnectionString, pair.Replica.ConnectionString, CancellationToken.None);
        Assert.True(first.Criteria.Single(c => c.Name == "public.ledger primary = replica").Passed);
        Assert.StartsWith("300 rows", first.Criteria.Single(c => c.Name == "public.ledger primary = replica").Measured, StringComparison.Ordinal);
        Assert.True(first.Criteria.Single(c => c.Name == "Replication streaming").Passed);
        var archiving = first.Criteria.Single(c => c.Name == "WAL archiving");
        Assert.False(archiving.Passed);
        Assert.StartsWith("archive_mode off", archiving.Measured, StringComparison.Ordinal);

        var archive = Path.Combine(Path.GetDirectoryName(pair.Primary.DataDir)!, "archive");
        Directory.CreateDirectory(archive);
        await ChildProcess.GiveToPostgresAsync(archive);
        await Sql.ExecuteAsync(pair.Primary.ConnectionString, $"ALTER SYSTEM SET archive_mode = 'on'; ALTER SYSTEM SET archive_command = 'cp %p {Path.GetFullPath(archive)}/%f'");
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "pg_ctl"), ["-D", pair.Primary.DataDir, "-l", Path.Combine(pair.Primary.DataDir, "server.log"), "-m", "fast", "-w", "restart"], asPostgres: true);
        await pair.WaitUntilStreamingAsync();
        await Sql.ExecuteAsync(pair.Primary.ConnectionString, "INSERT INTO public.ledger VALUES (1000, 'after restart'); SELECT pg_switch_wal();");
        await WaitAsync(pair.Primary.ConnectionString, "SELECT archived_count > 0 FROM pg_stat_archiver");

        var second = await validator.RunAsync(pair.Primary.ConnectionString, pair.Replica.ConnectionString, CancellationToken.None);
        Assert.True(second.Passed, string.Join("\n", second.Criteria.Select(c => $"{c.Name}: {c.Passed} {c.Measured}")));
        Assert.Contains("archive_mode on; archived ", second.Criteria.Single(c => c.Name == "WAL archiving").Measured, StringComparison.Ordinal);
        Assert.Contains(second.Notes, n => n.StartsWith("Compared at LSN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replica_whose_data_file_was_damaged_is_reported_with_both_checksums()
    {
        var pair = await servers.NewPostgresPairAsync();
        await SeedAsync(pair);
        await Sql.ExecuteAsync(pair.Primary.ConnectionString, "CHECKPOINT");
        await WaitAsync(pair.Replica.ConnectionString, "SELECT count(*) = 300 FROM public.ledger");
        string file;
        await using (var connection = new NpgsqlConnection(pair.Primary.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_relation_filepath('public.ledger')", connection);
            file = Path.Combine(pair.Replica.DataDir, (string)(await command.ExecuteScalarAsync())!);
        }
        var ctl = Path.Combine(PostgresServer.BinDir, "pg_ctl");
        await ChildProcess.RunAsync(ctl, ["-D", pair.Replica.DataDir, "-m", "fast", "-w", "stop"], asPostgres: true);
        var bytes = await File.ReadAllBytesAsync(file);
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("entry-0177"));
        Assert.True(at >= 0, "the replica's data file does not hold the row yet");
        Encoding.ASCII.GetBytes("entry-9177").CopyTo(bytes, at);
        await File.WriteAllBytesAsync(file, bytes);
        await ChildProcess.RunAsync(ctl, ["-D", pair.Replica.DataDir, "-l", Path.Combine(pair.Replica.DataDir, "server.log"), "-w", "start"], asPostgres: true);
        await pair.WaitUntilStreamingAsync();

        var outcome = await new DataConsistencyValidator(Options).RunAsync(pair.Primary.ConnectionString, pair.Replica.ConnectionString, CancellationToken.None);
        var ledger = outcome.Criteria.Single(c => c.Name == "public.ledger primary = replica");
        Assert.False(ledger.Passed);
        Assert.Matches("^primary 300 rows [0-9a-f]{8}, replica 300 rows [0-9a-f]{8} at LSN ", ledger.Measured);
        Assert.True(outcome.Criteria.Single(c => c.Name == "public.accounts primary = replica").Passed);
    }

    private static async Task SeedAsync(PostgresPair pair)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        await Sql.ExecuteAsync(pair.Primary.ConnectionString, $"""
            CREATE TABLE public.ledger (id int PRIMARY KEY, entry text NOT NULL);
            INSERT INTO public.ledger SELECT n, 'entry-' || lpad(n::text, 4, '0') FROM generate_series(1, 300) n;
            CREATE TABLE public.accounts (id int PRIMARY KEY, owner text NOT NULL);
            INSERT INTO public.accounts VALUES (1, 'ada-{suffix}'), (2, 'grace-{suffix}');
            """);
    }

    private static async Task WaitAsync(string connectionString, string condition)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(condition, connection);
            if (await command.ExecuteScalarAsync() is true)
                return;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"never true: {condition}");
    }
}
