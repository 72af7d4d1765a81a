using DrBot.Runbooks.Infrastructure.Redis;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using StackExchange.Redis;

namespace DrBot.Runbooks.Tests.Infrastructure.Redis;

[Collection(LiveServersCollection.Name)]
public sealed class RedisCacheReplicaTests(LiveServersFixture servers)
{
    [Fact]
    public async Task A_promoted_replica_becomes_master_and_accepts_writes_and_a_second_promotion_is_a_no_op()
    {
        var (master, replica) = await servers.NewRedisPairAsync();
        var cache = Adapter(master.Endpoint, replica.Endpoint);
        await using (var mux = await ConnectionMultiplexer.ConnectAsync(master.Endpoint))
        {
            await mux.GetDatabase().StringSetAsync("order:1", "placed");
            // Replication is asynchronous: on a loaded machine the promotion could otherwise overtake the write (it failed once so).
            Assert.Equal(1, (int)await mux.GetDatabase().ExecuteAsync("WAIT", 1, 10_000));
        }

        var masterStatus = await cache.GetStatusAsync("east-us", default);
        var replicaStatus = await cache.GetStatusAsync("west-us", default);
        var promoted = await cache.PromoteAsync("west-us", default);
        var again = await cache.PromoteAsync("west-us", default);

        Assert.True(masterStatus.IsMaster);
        Assert.Contains("1 replica", masterStatus.Detail, StringComparison.Ordinal);
        Assert.False(replicaStatus.IsMaster);
        Assert.NotNull(replicaStatus.LagBytes);
        Assert.True(promoted.Succeeded, promoted.Detail);
        Assert.False(promoted.AlreadyDone);
        Assert.True(again.AlreadyDone, again.Detail);
        Assert.True((await cache.GetStatusAsync("west-us", default)).IsMaster);
        await using var after = await ConnectionMultiplexer.ConnectAsync(replica.Endpoint);
        Assert.True(await after.GetDatabase().StringSetAsync("order:2", "placed after failover"));
        Assert.Equal("placed", (string?)await after.GetDatabase().StringGetAsync("order:1"));
    }

    [Fact]
    public async Task An_unreachable_cache_is_a_transient_failure_and_an_unconfigured_one_is_permanent()
    {
        var cache = Adapter("127.0.0.1:1", $"127.0.0.1:{ChildProcess.FreePort()},password=hunter2-secret");

        var promote = await cache.PromoteAsync("west-us", default);
        var status = await cache.GetStatusAsync("west-us", default);
        var unconfigured = await cache.PromoteAsync("mars", default);

        Assert.False(promote.Succeeded);
        Assert.True(promote.Transient, promote.Detail);
        Assert.DoesNotContain("hunter2-secret", promote.Detail, StringComparison.Ordinal);
        Assert.False(status.Reachable);
        Assert.False(unconfigured.Transient);
        Assert.Contains("DrBot:Regions:mars:Cache:Endpoint", unconfigured.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_old_master_follows_the_promoted_replica_refuses_writes_takes_its_data_and_following_again_is_a_no_op()
    {
        var (east, west) = await servers.NewRedisPairAsync();
        var cache = Adapter(east.Endpoint, west.Endpoint);
        Assert.True((await cache.PromoteAsync("west-us", default)).Succeeded);
        Assert.True((await cache.GetStatusAsync("east-us", default)).IsMaster); // two masters: what fencing the old one ends

        var follow = await cache.FollowAsync("east-us", "west-us", default);
        var again = await cache.FollowAsync("east-us", "west-us", default);

        Assert.True(follow.Succeeded, follow.Detail);
        Assert.False(follow.AlreadyDone);
        Assert.Contains($"now follows west-us ({west.Endpoint})", follow.Detail, StringComparison.Ordinal);
        Assert.True(again.AlreadyDone, again.Detail);
        Assert.False((await cache.GetStatusAsync("east-us", default)).IsMaster);
        await using var eastClient = await ConnectionMultiplexer.ConnectAsync(east.Endpoint);
        Assert.StartsWith("-READONLY", await east.CommandAsync("SET", "order:3", "written to the old master"), StringComparison.Ordinal);
        await using var westClient = await ConnectionMultiplexer.ConnectAsync(west.Endpoint);
        await westClient.GetDatabase().StringSetAsync("order:4", "written to the new master");
        for (var i = 0; i < 200 && (string?)await eastClient.GetDatabase().StringGetAsync("order:4") is null; i++)
            await Task.Delay(50);
        Assert.Equal("written to the new master", (string?)await eastClient.GetDatabase().StringGetAsync("order:4"));
    }

    [Fact]
    public async Task Following_fails_transient_when_the_old_master_is_unreachable_and_at_once_when_the_new_master_is_not_configured()
    {
        var (_, west) = await servers.NewRedisPairAsync();
        var cache = Adapter($"127.0.0.1:{ChildProcess.FreePort()}", west.Endpoint);

        var unreachable = await cache.FollowAsync("east-us", "west-us", default);
        var unconfigured = await cache.FollowAsync("west-us", "mars", default);

        Assert.False(unreachable.Succeeded);
        Assert.True(unreachable.Transient, unreachable.Detail);
        Assert.Contains("unreachable", unreachable.Detail, StringComparison.Ordinal);
        Assert.False(unconfigured.Succeeded);
        Assert.False(unconfigured.Transient);
        Assert.Contains("DrBot:Regions:mars:Cache:Endpoint", unconfigured.Detail, StringComparison.Ordinal);
        Assert.False((await cache.GetStatusAsync("west-us", default)).IsMaster); // nothing changed
    }

    private static RedisCacheReplica Adapter(string east, string west) =>
        new(LiveTestOptions.Regions(r =>
        {
            r["east-us"] = new() { Cache = { Endpoint = east } };
            r["west-us"] = new() { Cache = { Endpoint = west } };
        }), LiveTestOptions.Timeouts(o => o.StatusTimeout = TimeSpan.FromSeconds(3)), TimeProvider.System);
}
