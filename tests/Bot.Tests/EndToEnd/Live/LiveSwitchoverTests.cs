using System.Globalization;
using DrBot.Bot.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace DrBot.Bot.Tests.EndToEnd.Live;

/// <summary>The variants of the live region failover on real servers: the planned switchover, and a step failing past the point of no return.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class LiveSwitchoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_planned_switchover_with_east_up_loses_no_acknowledged_write_and_east_refuses_writes_afterwards()
    {
        await using var live = await LiveRegions.StartAsync();
        using var stop = new CancellationTokenSource();
        var writer = await live.WriteWithHeartbeatsAsync(2, stop.Token);

        var started = await live.Bot.SendAsync("alice", "/failover west-us --planned");
        Assert.Contains("planned-switchover", started["reply"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        await live.ApproveGateAsync();
        var (_, text) = await live.EndedRunCardAsync();
        Assert.True(text.Contains("✅ Succeeded", StringComparison.Ordinal), $"{text}\n{live.Bot.Output}");
        await writer; // fencing ended its session

        var (survived, lost) = await live.AcknowledgedOnWestAsync();
        Assert.NotEmpty(survived);
        Assert.Empty(lost); // RPO = 0, measured
        Assert.Contains("RPO = 0: planned switchover", text, StringComparison.Ordinal);
        Assert.Contains("its WAL includes the old primary's last position", text, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => LiveRegions.ExecuteAsync(live.Pair.Primary, "INSERT INTO orders(id) VALUES (-2)"));
        Assert.Equal("25006", refused.SqlState); // east-us is fenced: read-only
        Assert.Equal("slave", await live.CacheRoleAsync(live.EastCache)); // the old cache master follows west-us
        Assert.Equal("master", await live.CacheRoleAsync(live.WestCache));
        output.WriteLine($"planned switchover: {survived.Count} writes acknowledged before the fence, 0 lost");
    }

    [Fact]
    public async Task A_step_failing_past_the_promotion_stops_at_the_gate_with_nothing_compensated_and_retry_completes_the_run()
    {
        // core-api in west-us cannot be repointed: the API refuses the namespace (RBAC) after the promotion.
        await using var live = await LiveRegions.StartAsync(r => r.WestCluster.ForbiddenNamespaces.Add(LiveRegions.Namespace));
        await live.WaitForHeartbeatsAsync(2);
        await live.KillEastAsync();

        await live.ApproveGateAsync();
        var (stopped, text) = await live.EndedRunCardAsync();
        Assert.True(text.Contains("Stopped past the point of no return", StringComparison.Ordinal), $"{text}\n{live.Bot.Output}");
        Assert.Contains("Point core-api at the west-us database failed", text, StringComparison.Ordinal);
        Assert.Contains("Promote the west-us database to primary", text, StringComparison.Ordinal);
        Assert.Contains("DrBot:Regions:west-us:Cluster:Namespace", text, StringComparison.Ordinal); // the key to check
        var buttons = CardJson.Actions(stopped["card"]).Select(a => a.Verb).ToList();
        Assert.Equal(["retry-step", "skip-step", "roll-back-anyway"], buttons);

        // Nothing was compensated: the database and cache stay promoted, east-us stays out of traffic.
        Assert.False(await LiveRegions.ScalarAsync<bool>(live.Pair.Replica, "SELECT pg_is_in_recovery()"));
        Assert.Equal("master", await live.CacheRoleAsync(live.WestCache));
        Assert.Equal("Disabled", live.EndpointStatus("east-us"));
        Assert.DoesNotContain(live.WestCluster.Server.Requests, r => r.Method == "PATCH");

        // RBAC fixed; a second lead retries the step and the run completes.
        live.WestCluster.ForbiddenNamespaces.Clear();
        var retry = CardJson.Actions(stopped["card"]).Single(a => a.Verb == "retry-step");
        var reply = await live.Bot.ClickAsync("carol", stopped["id"]!.GetValue<string>(), "retry-step", retry.Data);
        Assert.False(reply["reply"]!["isError"]!.GetValue<bool>(), reply.ToJsonString());
        var done = await live.RunCardAsync(t => t.Contains("✅ Succeeded", StringComparison.Ordinal) || t.Contains("❌ Failed", StringComparison.Ordinal), LiveRegions.LongWait);
        Assert.Contains("✅ Succeeded", CardJson.Text(done["card"]), StringComparison.Ordinal);
        Assert.Equal(LiveRegions.Url(live.Pair.Replica), LiveRegions.CoreApiDatabaseUrl(live.WestCluster));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped at the point of no return, retried by carol, succeeded"));
    }
}
