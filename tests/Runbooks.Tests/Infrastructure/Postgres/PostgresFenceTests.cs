using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Infrastructure.Redis;
using DrBot.Runbooks.Storage.LiteDb;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DrBot.Runbooks.Tests.Infrastructure.Postgres;

/// <summary>
/// Fencing an old primary on real servers, with the adapters configured as a user configures the bot
/// (pooled sessions): it refuses writes afterwards, its client sessions (the bot's own pooled ones too)
/// are ended while replication keeps streaming, and the fence is verified by a refused write. A primary
/// that is down cannot be fenced; the pending fence is applied the first time it answers again.
/// </summary>
[Collection(LiveServersCollection.Name)]
public sealed class PostgresFenceTests(LiveServersFixture servers)
{
    [Fact]
    public async Task A_fenced_primary_refuses_writes_its_sessions_are_ended_replication_keeps_streaming_and_unfencing_undoes_it()
    {
        var pair = await servers.NewPostgresPairAsync();
        var (fence, db, _) = Adapters(pair);
        Assert.True((await db.GetStatusAsync("east-us", default)).IsPrimary); // leaves an idle pooled session of the bot's
        await using var app = new NpgsqlConnection(pair.Primary.ConnectionString + ";Application Name=orders-app");
        await app.OpenAsync();
        await Execute(app, "CREATE TABLE fenced_orders(id int); INSERT INTO fenced_orders VALUES (1)");

        var fenced = await fence.FenceAsync("east-us", default);
        var replica = await fence.FenceAsync("west-us", default);

        Assert.Equal(FenceState.Fenced, fenced.State);
        Assert.Contains("a test write was refused", fenced.Detail, StringComparison.Ordinal);
        Assert.Matches(@"read-only \(default_transaction_read_only = on\), [1-9]\d* session\(s\) ended", fenced.Detail);
        Assert.Equal(FenceState.AlreadyFenced, replica.State);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Execute(app, "INSERT INTO fenced_orders VALUES (2)")); // its session was ended
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteNew(pair.Primary, "INSERT INTO fenced_orders VALUES (3)"));
        Assert.Equal("25006", refused.SqlState);
        Assert.Equal(1L, await Scalar<long>(pair.Primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"));
        // The bot's pooled session was ended too; the next read finds that out and uses a new session.
        var status = await db.GetStatusAsync("east-us", default);
        Assert.True(status.Reachable && status.IsPrimary, status.Detail);

        var unfenced = await fence.UnfenceAsync("east-us", default);

        Assert.True(unfenced.Succeeded, unfenced.Detail);
        await ExecuteNew(pair.Primary, "INSERT INTO fenced_orders VALUES (4)");
        Assert.Equal(2L, await Scalar<long>(pair.Primary, "SELECT count(*) FROM fenced_orders"));
    }

    [Fact]
    public async Task A_primary_that_is_down_is_unreachable_for_the_fence_and_the_pending_fence_fences_it_when_it_answers_again()
    {
        var pair = await servers.NewPostgresPairAsync();
        var (eastCache, westCache) = await servers.NewRedisPairAsync();
        var (fence, db, cache) = Adapters(pair, eastCache, westCache);
        Assert.True((await db.GetStatusAsync("east-us", default)).IsPrimary); // a pooled session that will outlive its server
        Assert.True((await cache.PromoteAsync("west-us", default)).Succeeded); // east's cache is a second master now
        var dir = Directory.CreateTempSubdirectory("drbot-fence-").FullName;
        try
        {
            using var store = new LiteDbStore(Path.Combine(dir, "drbot.db"), TimeProvider.System);
            var pending = new PendingFences(store, fence, cache);
            pair.Primary.Kill();

            var down = await fence.FenceAsync("east-us", default);
            await pending.AddAsync(new PendingFence("east-us", "west-us", "run-1", null, TimeProvider.System.GetUtcNow()), default);
            var whileDown = await pending.FenceReturnedAsync(default);

            Assert.Equal(FenceState.Unreachable, down.State);
            Assert.Contains("unreachable", down.Detail, StringComparison.Ordinal);
            Assert.Empty(whileDown);
            Assert.Single(await pending.ListAsync(default));

            await pair.Primary.StartAgainAsync();
            var returned = await pending.FenceReturnedAsync(default); // the first try after it answers: a stale pooled session must not hide it

            var (fenced, detail) = Assert.Single(returned);
            Assert.Equal("east-us", fenced.Region);
            Assert.StartsWith("east-us answered again and was fenced", detail, StringComparison.Ordinal);
            Assert.Contains($"now follows west-us ({westCache.Endpoint})", detail, StringComparison.Ordinal);
            Assert.Empty(await pending.ListAsync(default));
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteNew(pair.Primary, "CREATE TABLE written_after_return(id int)"));
            Assert.Equal("25006", refused.SqlState);
            Assert.StartsWith("-READONLY", await eastCache.CommandAsync("SET", "order:5", "written to the old master"), StringComparison.Ordinal);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static (PostgresFence Fence, PostgresDatabaseReplica Database, RedisCacheReplica Cache) Adapters(PostgresPair pair, RedisServer? eastCache = null, RedisServer? westCache = null)
    {
        var regions = LiveTestOptions.Regions(r =>
        {
            r["east-us"] = new() { Database = { ConnectionString = pair.Primary.BotConnectionString }, Cache = { Endpoint = eastCache?.Endpoint ?? "" } };
            r["west-us"] = new() { Database = { ConnectionString = pair.Replica.BotConnectionString }, Cache = { Endpoint = westCache?.Endpoint ?? "" } };
        });
        var connections = new PostgresConnections(regions);
        var timeouts = LiveTestOptions.Timeouts(o => o.StatusTimeout = TimeSpan.FromSeconds(5));
        return (new PostgresFence(connections, timeouts, TimeProvider.System),
            new PostgresDatabaseReplica(connections, timeouts, TimeProvider.System, NullLogger<PostgresDatabaseReplica>.Instance),
            new RedisCacheReplica(regions, timeouts, TimeProvider.System));
    }

    private static async Task Execute(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteNew(PostgresServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await Execute(conn, sql);
    }

    private static async Task<T> Scalar<T>(PostgresServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
