using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Tests.Resilience;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>
/// What the shared store must do beyond the contract: several replicas (modelled as several store
/// instances on one database) migrating, leasing, claiming and auditing at once, and a clear refusal
/// when the server is gone.
/// </summary>
[Collection(PostgresStoreCollection.Name)]
public sealed class PostgresStoreTests(PostgresServerFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => CancellationToken.None;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<PostgresStore> _stores = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await fixture.Postgres.NewSchemaAsync();

    private PostgresStore Replica()
    {
        var store = new PostgresStore(_connectionString, _time);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task Replicas_migrating_at_the_same_moment_apply_each_migration_once()
    {
        var replicas = Enumerable.Range(0, 4).Select(_ => Replica()).ToList();

        var applied = await Task.WhenAll(replicas.Select(r => Task.Run(() => r.MigrateAsync(Ct))));

        Assert.Equal(PostgresMigrations.All.Count, applied.Sum());
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM drbot_schema_migrations", connection);
        Assert.Equal((long)PostgresMigrations.All.Count, await count.ExecuteScalarAsync());
        Assert.Equal(0, await Replica().MigrateAsync(Ct));
    }

    [Fact]
    public async Task A_run_leased_by_one_replica_is_refused_to_another_until_the_lease_expires()
    {
        var (a, b) = (Replica(), Replica());
        Assert.True(await a.TryCommitAsync(StoreCommit.ForRun(new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 1 }, []), Start, Ct));

        Assert.True(await a.TryLeaseRunAsync("run-1", "replica-a", Start.AddSeconds(30), Start, Ct));
        Assert.False(await b.TryLeaseRunAsync("run-1", "replica-b", Start.AddSeconds(50), Start.AddSeconds(20), Ct));
        await b.ReleaseRunLeaseAsync("run-1", "replica-b", Ct);
        // A save by a replica that does not hold the lease is refused; the holder's save keeps the lease as it is.
        Assert.False(await b.TryCommitAsync(StoreCommit.ForRun(new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 2 }, [], owner: "replica-b"), Start, Ct));
        Assert.True(await b.TryCommitAsync(StoreCommit.ForRun(new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 2 }, [], owner: "replica-a"), Start, Ct));
        Assert.Equal("replica-a", (await b.GetRunAsync("run-1", Ct))!.LeaseOwner);

        Assert.True(await b.TryLeaseRunAsync("run-1", "replica-b", Start.AddSeconds(60), Start.AddSeconds(30), Ct));
        Assert.False(await a.TryLeaseRunAsync("run-1", "replica-a", Start.AddSeconds(70), Start.AddSeconds(40), Ct));
        Assert.Equal("replica-b", (await a.GetRunAsync("run-1", Ct))!.LeaseOwner);
    }

    [Fact]
    public async Task Runs_stored_before_the_version_column_keep_their_version_for_the_fence()
    {
        // A database at migration 1 with a run saved at version 4, then migrated to the current schema.
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var schema = new NpgsqlCommand(PostgresMigrations.All[0].Sql, connection);
            await schema.ExecuteNonQueryAsync();
            await using var record = new NpgsqlCommand("""
                CREATE TABLE drbot_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL);
                INSERT INTO drbot_schema_migrations VALUES (1, 'initial schema', 0);
                """, connection);
            await record.ExecuteNonQueryAsync();
            await using var run = new NpgsqlCommand("INSERT INTO drbot_runs (id, finished, started_at, saved_at, lease_owner, lease_until, json) VALUES ('run-1', false, 0, 0, 'replica-a', $1, $2)", connection);
            run.Parameters.Add(new NpgsqlParameter { Value = Start.AddSeconds(30).UtcTicks });
            run.Parameters.Add(new NpgsqlParameter { Value = StoreJson.Write(new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 4 }) });
            await run.ExecuteNonQueryAsync();
        }
        var store = Replica();

        Assert.False(await store.TryCommitAsync(StoreCommit.ForRun(new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 2 }, [], owner: "replica-a"), Start, Ct));
        Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(new RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = Start, Version = 5 }, [], owner: "replica-a"), Start, Ct));
        Assert.Equal(5, (await store.GetRunAsync("run-1", Ct))!.Version);
    }

    [Fact]
    public async Task Replicas_claiming_timers_at_once_each_get_different_timers_and_every_due_timer_is_claimed_once()
    {
        var replicas = Enumerable.Range(0, 4).Select(_ => Replica()).ToList();
        for (var i = 0; i < 40; i++)
        {
            await replicas[0].ScheduleTimerAsync(new ScheduledTimer($"status:INC-{i:0000}", TimerKinds.StatusPost, $"INC-{i:0000}", Start.AddSeconds(-i)), Ct);
        }

        var claims = await Task.WhenAll(replicas.Select((r, i) => Task.Run(() => r.ClaimDueTimersAsync(Start, $"replica-{i}", TimeSpan.FromMinutes(2), 15, Ct))));

        var ids = claims.SelectMany(c => c.Select(t => t.Id)).ToList();
        Assert.Equal(40, ids.Count);
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public async Task Replicas_claiming_the_outbox_at_once_never_send_the_same_message_twice()
    {
        var replicas = Enumerable.Range(0, 4).Select(_ => Replica()).ToList();
        for (var i = 0; i < 30; i++)
        {
            await replicas[0].EnqueueAsync(new OutboxMessage(0, $"channel-{i % 10}", "conv", OutboxOperation.Post, $"post:{i}", "{}", Start), Ct);
        }

        var sent = new List<long>();
        for (var round = 0; round < 10; round++)
        {
            var claims = await Task.WhenAll(replicas.Select((r, i) => Task.Run(() => r.ClaimDueOutboxAsync(Start, $"replica-{i}", TimeSpan.FromMinutes(1), Ct))));
            var claimed = claims.SelectMany(c => c).ToList();
            Assert.Equal(claimed.Count, claimed.Select(m => m.Channel).Distinct().Count());
            foreach (var message in claimed)
            {
                await replicas[0].MarkDeliveredAsync(message.Sequence, Start, Ct);
                sent.Add(message.Sequence);
            }
        }

        Assert.Equal(30, sent.Count);
        Assert.Equal(30, sent.Distinct().Count());
        Assert.Equal(0, await replicas[0].CountUndeliveredAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_audit_appends_from_several_replicas_form_one_valid_chain()
    {
        var replicas = Enumerable.Range(0, 3).Select(_ => Replica()).ToList();

        await Task.WhenAll(replicas.SelectMany((r, i) => Enumerable.Range(0, 30).Select(j =>
            Task.Run(() => r.AppendAuditAsync(new AuditDraft(Start.AddMilliseconds(j), $"replica-{i}", "step-succeeded", $"run-{j}", ""), Ct)))));

        var entries = await replicas[1].ReadAuditAsync(Ct);
        Assert.Equal(90, entries.Count);
        Assert.True(AuditChain.Verify(entries).Valid, AuditChain.Verify(entries).Problem);
    }

    [Fact]
    public async Task A_batch_of_idempotency_keys_is_claimed_per_key_with_repeats_counted_once()
    {
        var store = Replica();
        Assert.True(await store.TryClaimIdempotencyKeyAsync("alert:b", Start, Ct));

        var claimed = await ((IIdempotencyStore)store).TryClaimIdempotencyKeysAsync(["alert:a", "alert:b", "alert:a", "alert:c"], Start, Ct);

        Assert.Equal([true, false, false, true], claimed);
    }

    [Fact]
    public async Task An_unreachable_server_is_refused_with_a_store_unavailable_error_that_hides_the_password()
    {
        var port = ChildProcess.FreePort();
        var waits = new WaitRecordingClock();
        var store = new PostgresStore($"Host=127.0.0.1;Port={port};Username=drbot;Password=s3cret-pw;Database=drbot;Timeout=2", _time, waits);
        _stores.Add(store);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => waits.DriveAsync(() => store.GetRunAsync("run-1", Ct)));

        Assert.Contains($"127.0.0.1:{port}/drbot", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", error.Message, StringComparison.Ordinal);
        // A refused connection is transient: three more attempts, 100 ms apart doubling, on the given clock.
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)], waits.Waits);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_is_a_permanent_error_reported_at_once_without_retries()
    {
        var missing = new NpgsqlConnectionStringBuilder(_connectionString) { Database = "no_such_database" };
        var waits = new WaitRecordingClock();
        var store = new PostgresStore(missing.ConnectionString, _time, waits);
        _stores.Add(store);

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => waits.DriveAsync(() => store.GetRunAsync("run-1", Ct)));

        Assert.Equal("3D000", Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Empty(waits.Waits);
    }

    [Fact]
    public void A_missing_connection_string_is_refused_saying_which_setting_to_fill_in()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresStore(" ", _time));

        Assert.Contains("DrBot:Store:Postgres:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}
