using System.Collections.Concurrent;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DrBot.Runbooks.Tests.Infrastructure.Postgres;

/// <summary>The database failover on a real pair: kill the primary under load, promote, count what survived.</summary>
[Collection(LiveServersCollection.Name)]
public sealed class PostgresFailoverTests(LiveServersFixture servers)
{
    [Fact]
    public async Task After_the_primary_dies_under_writes_the_promoted_replica_accepts_writes_and_holds_every_acknowledged_one()
    {
        var pair = await servers.NewPostgresPairAsync();
        var connections = new PostgresConnections(LiveTestOptions.Regions(r =>
        {
            r["east-us"] = new() { Database = { ConnectionString = pair.Primary.ConnectionString } };
            r["west-us"] = new() { Database = { ConnectionString = pair.Replica.ConnectionString } };
        }));
        var db = new PostgresDatabaseReplica(connections, LiveTestOptions.Timeouts(), TimeProvider.System, NullLogger<PostgresDatabaseReplica>.Instance);
        await PostgresDatabaseReplicaTests.Execute(pair.Primary, "CREATE TABLE orders(id bigint PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT clock_timestamp())");

        var before = await db.GetStatusAsync("west-us", default);
        Assert.False(before.IsPrimary);
        Assert.NotNull(before.LagBytes);
        Assert.True((await db.WriteMarkerAsync("east-us", "before-switch", default)).Succeeded);

        var acknowledged = new ConcurrentBag<long>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Writes.UntilFailureAsync(pair.Primary, w, acknowledged, stop.Token)).ToArray();
        await PostgresDatabaseReplicaTests.WaitUntil(() => Task.FromResult(acknowledged.Count >= 300));
        pair.Primary.Kill();
        await Task.WhenAll(writers);

        var promoted = await db.PromoteAsync("west-us", default);
        var again = await db.PromoteAsync("west-us", default);

        Assert.True(promoted.Succeeded, promoted.Detail);
        Assert.False(promoted.AlreadyDone);
        Assert.Contains("accepts writes", promoted.Detail, StringComparison.Ordinal);
        Assert.True(again.AlreadyDone, again.Detail);
        Assert.True((await db.GetStatusAsync("west-us", default)).IsPrimary);

        await PostgresDatabaseReplicaTests.Execute(pair.Replica, "INSERT INTO orders(id) VALUES (-1)");
        var present = await Writes.ReadIdsAsync(pair.Replica);
        var lost = acknowledged.Where(id => !present.Contains(id)).ToList();
        Assert.True(acknowledged.Count >= 300);
        Assert.Empty(lost); // RPO: zero acknowledged writes lost with synchronous replication.

        var consistency = await db.CheckConsistencyAsync("west-us", "before-switch", default);
        Assert.True(consistency.Consistent, consistency.Detail);
        Assert.Equal(TimeSpan.Zero, consistency.DataLossWindow);
        var missing = await db.CheckConsistencyAsync("west-us", "never-written", default);
        Assert.False(missing.Consistent);
        Assert.NotNull(missing.DataLossWindow);
        Assert.True((await db.WriteMarkerAsync("west-us", "after-switch", default)).Succeeded);
    }
}
