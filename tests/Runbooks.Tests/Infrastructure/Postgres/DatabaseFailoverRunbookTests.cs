using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Tests.Infrastructure.Live;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Npgsql;
using Xunit.Abstractions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Infrastructure.Postgres;

/// <summary>
/// The <c>database-failover</c> runbook in Live mode: the engine, the live PostgreSQL adapter on a
/// real primary and streaming replica, and the connection-string switch through the Kubernetes API
/// (a local fake API server). A lead approves; the primary is killed under writes first.
/// </summary>
[Collection(LiveServersCollection.Name)]
public sealed class DatabaseFailoverRunbookTests(LiveServersFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task Approved_by_a_lead_after_the_primary_died_under_writes_the_runbook_promotes_the_replica_and_loses_no_acknowledged_write()
    {
        var pair = await servers.NewPostgresPairAsync();
        await using var live = new LiveRunbookHarness(pair);
        await PostgresDatabaseReplicaTests.Execute(pair.Primary, "CREATE TABLE orders(id bigint PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        var acknowledged = new ConcurrentBag<long>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Writes.UntilFailureAsync(pair.Primary, w, acknowledged, stop.Token)).ToArray();
        await PostgresDatabaseReplicaTests.WaitUntil(() => Task.FromResult(acknowledged.Count >= 300));

        // The lag check runs while the writes do; the run then waits for a lead.
        var run = await live.StartAsync("database-failover", "west-us");
        Assert.Equal("approve-promotion", run.State);
        Assert.Equal("east-us", run.FromRegion);
        var lagCheck = run.Step("check-replication-lag")!;
        Assert.Equal(StepStatus.Succeeded, lagCheck.Status);
        Assert.Contains("replication lag", lagCheck.Detail, StringComparison.Ordinal);
        var lagSeconds = double.Parse(run.Facts["replication_lag_seconds"], CultureInfo.InvariantCulture);
        Assert.InRange(lagSeconds, 0, 60);
        var lagStatus = await live.Database.GetStatusAsync("west-us", default);
        Assert.NotNull(lagStatus.LagBytes);

        pair.Primary.Kill();
        await Task.WhenAll(writers);
        var clock = Stopwatch.StartNew();
        run = await live.DecideAsync(run, "bob");
        var approvalToWrites = clock.Elapsed;

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(StepStatus.Skipped, run.Step("accept-data-loss")!.Status);
        Assert.Contains("accepts writes", run.Step("promote-database")!.Detail, StringComparison.Ordinal);
        Assert.True((await live.Database.GetStatusAsync("west-us", default)).IsPrimary);
        await PostgresDatabaseReplicaTests.Execute(pair.Replica, "INSERT INTO orders(id) VALUES (-1)");
        var present = await Writes.ReadIdsAsync(pair.Replica);
        var lost = acknowledged.Where(id => !present.Contains(id)).ToList();
        Assert.Empty(lost);
        Assert.Contains(-1L, present);
        Assert.True(run.Facts.ContainsKey("rpo_seconds"), "the promote step records the measured RPO");
        var rpo = double.Parse(run.Facts["rpo_seconds"], CultureInfo.InvariantCulture);
        Assert.InRange(rpo, 0, 60);
        var env = live.Kubernetes.Deployment(LiveRunbookHarness.Namespace, "core-api")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>();
        Assert.Equal(LiveRunbookHarness.ApplicationUrl(pair.Replica), env); // the configured URL, in the configured namespace
        Assert.Contains("answers as a writable primary", run.Step("update-connection-strings")!.Detail, StringComparison.Ordinal);
        output.WriteLine(FormattableString.Invariant(
            $"lag before the kill: {lagStatus.LagBytes} bytes / {lagSeconds:F3} s; {acknowledged.Count} writes acknowledged before the kill, {lost.Count} lost; measured RPO {rpo:F3} s; approval to 'accepts writes' and connection switch: {approvalToWrites.TotalMilliseconds:F0} ms"));

        // Promoting twice is a no-op: a second run finds the database already primary.
        var again = await live.StartAsync("database-failover", "west-us");
        Assert.Equal("0", again.Facts["replication_lag_seconds"]);
        again = await live.DecideAsync(again, "carol");
        Assert.Equal(RunOutcome.Succeeded, again.Outcome);
        Assert.Contains("already a primary", again.Step("promote-database")!.Detail, StringComparison.Ordinal);
        Assert.Single(live.Kubernetes.Server.Requests, r => r.Method == "PATCH");
        Assert.Contains(-1L, await Writes.ReadIdsAsync(pair.Replica));
    }
}
