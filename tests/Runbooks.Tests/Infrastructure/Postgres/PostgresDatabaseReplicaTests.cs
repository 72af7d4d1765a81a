using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DrBot.Runbooks.Tests.Infrastructure.Postgres;

[Collection(LiveServersCollection.Name)]
public sealed class PostgresDatabaseReplicaTests(LiveServersFixture servers)
{
    private static (PostgresDatabaseReplica Adapter, PostgresConnections Connections) AdapterFor(PostgresPair pair)
    {
        var connections = new PostgresConnections(LiveTestOptions.Regions(r =>
        {
            r["east-us"] = new() { Database = { ConnectionString = pair.Primary.ConnectionString } };
            r["west-us"] = new() { Database = { ConnectionString = pair.Replica.ConnectionString } };
            r["nowhere"] = new() { Database = { ConnectionString = $"Host=127.0.0.1;Port={ChildProcess.FreePort()};Username=postgres;Password=s3cret-pw;Timeout=2" } };
        }));
        return (new PostgresDatabaseReplica(connections, LiveTestOptions.Timeouts(), TimeProvider.System, NullLogger<PostgresDatabaseReplica>.Instance), connections);
    }

    [Fact]
    public async Task Status_tells_primary_from_replica_and_an_idle_caught_up_replica_has_zero_lag()
    {
        var (db, _) = AdapterFor(servers.Shared);
        await Execute(servers.Shared.Primary, "CREATE TABLE IF NOT EXISTS idle_check(id int); INSERT INTO idle_check VALUES (1)");
        await WaitUntil(async () => (await db.GetStatusAsync("west-us", default)).LagBytes == 0);

        var replica = await db.GetStatusAsync("west-us", default);
        var primary = await db.GetStatusAsync("east-us", default);

        Assert.True(replica.Reachable);
        Assert.False(replica.IsPrimary);
        Assert.Equal(0, replica.LagSeconds);
        Assert.Contains("streaming", replica.Detail, StringComparison.Ordinal);
        Assert.True(primary.IsPrimary);
        Assert.Contains("1 standby", primary.Detail, StringComparison.Ordinal);
        Assert.NotNull(primary.LagBytes);
    }

    [Fact]
    public async Task Paused_replay_while_the_primary_keeps_writing_is_reported_as_lag_in_bytes_and_seconds()
    {
        var (db, _) = AdapterFor(servers.Shared);
        await Execute(servers.Shared.Primary, "CREATE TABLE IF NOT EXISTS lag_check(id serial, payload text)");
        await WaitUntil(async () => (await db.GetStatusAsync("west-us", default)).LagBytes == 0);
        await Execute(servers.Shared.Replica, "SELECT pg_wal_replay_pause()");
        try
        {
            for (var i = 0; i < 6; i++)
            {
                await Execute(servers.Shared.Primary, "INSERT INTO lag_check(payload) SELECT repeat('x', 1000) FROM generate_series(1, 200)");
                await Task.Delay(300);
            }
            var status = await db.GetStatusAsync("west-us", default);

            Assert.True(status.LagBytes > 100_000, status.Detail);
            Assert.True(status.LagSeconds >= 1.0, status.Detail);
            Assert.Contains("replay PAUSED", status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            await Execute(servers.Shared.Replica, "SELECT pg_wal_replay_resume()");
        }
    }

    [Fact]
    public async Task Promoting_a_server_that_is_already_primary_changes_nothing()
    {
        var (db, _) = AdapterFor(servers.Shared);

        var result = await db.PromoteAsync("east-us", default);

        Assert.True(result.Succeeded);
        Assert.True(result.AlreadyDone, result.Detail);
        Assert.False((await db.GetStatusAsync("west-us", default)).IsPrimary);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_failure_without_the_password_and_a_missing_one_a_permanent_one()
    {
        var (db, _) = AdapterFor(servers.Shared);

        var promote = await db.PromoteAsync("nowhere", default);
        var status = await db.GetStatusAsync("nowhere", default);
        var unconfigured = await db.PromoteAsync("mars", default);

        Assert.False(promote.Succeeded);
        Assert.True(promote.Transient, promote.Detail);
        Assert.DoesNotContain("s3cret-pw", promote.Detail, StringComparison.Ordinal);
        Assert.False(status.Reachable);
        Assert.DoesNotContain("s3cret-pw", status.Detail, StringComparison.Ordinal);
        Assert.False(unconfigured.Succeeded);
        Assert.False(unconfigured.Transient);
        Assert.Contains("DrBot:Regions:mars:Database:ConnectionString", unconfigured.Detail, StringComparison.Ordinal);
    }

    internal static async Task Execute(PostgresServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    internal static async Task WaitUntil(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail("condition not reached in 10 s");
    }
}
