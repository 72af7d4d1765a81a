using System.Globalization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Tests.Infrastructure.Live;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Xunit.Abstractions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Infrastructure.Postgres;

/// <summary>The database failover's conditional gate on a real replica whose replay is paused past the 60 s threshold.</summary>
[Collection(LaggingServersCollection.Name)]
public sealed class DataLossGateTests(LiveServersFixture servers, ITestOutputHelper output)
{
    [Fact]
    public async Task With_replication_lag_over_a_minute_the_lead_must_also_accept_data_loss_and_rejecting_it_promotes_nothing()
    {
        var pair = await servers.NewPostgresPairAsync();
        await using var live = new LiveRunbookHarness(pair);
        await PostgresDatabaseReplicaTests.Execute(pair.Primary, "CREATE TABLE orders(id bigserial PRIMARY KEY, placed_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        await PostgresDatabaseReplicaTests.Execute(pair.Primary, "INSERT INTO orders DEFAULT VALUES");
        await PostgresDatabaseReplicaTests.WaitUntil(async () => (await live.Database.GetStatusAsync("west-us", default)).LagBytes == 0);
        // Replay stops; the primary keeps committing; the lag is the age of the last replayed commit.
        await PostgresDatabaseReplicaTests.Execute(pair.Replica, "SELECT pg_wal_replay_pause()");
        double lag = 0;
        for (var i = 0; i < 90 && lag <= 61; i++)
        {
            await PostgresDatabaseReplicaTests.Execute(pair.Primary, "INSERT INTO orders DEFAULT VALUES");
            await Task.Delay(TimeSpan.FromSeconds(1));
            lag = (await live.Database.GetStatusAsync("west-us", default)).LagSeconds ?? 0;
        }
        Assert.True(lag > 61, $"the lag never passed a minute ({lag:F1} s)");

        var run = await live.StartAsync("database-failover", "west-us");
        Assert.Equal("approve-promotion", run.State);
        var measured = double.Parse(run.Facts["replication_lag_seconds"], CultureInfo.InvariantCulture);
        Assert.True(measured > 60, run.Step("check-replication-lag")!.Detail);
        run = await live.DecideAsync(run, "bob");

        Assert.Equal("accept-data-loss", run.State);
        Assert.Equal(StepStatus.AwaitingApproval, run.Step("accept-data-loss")!.Status);
        Assert.Equal(StepStatus.Pending, run.Step("promote-database")!.Status);
        output.WriteLine(FormattableString.Invariant($"replication lag at the check: {measured:F1} s (replay paused): the accept-data-loss gate was required"));

        run = await live.DecideAsync(run, "carol", approve: false);
        Assert.Equal(RunOutcome.Rejected, run.Outcome);
        Assert.False((await live.Database.GetStatusAsync("west-us", default)).IsPrimary);
        Assert.DoesNotContain(live.Kubernetes.Server.Requests, r => r.Method == "PATCH");
        await PostgresDatabaseReplicaTests.Execute(pair.Replica, "SELECT pg_wal_replay_resume()");
    }
}
