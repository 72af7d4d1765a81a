using System.Globalization;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Npgsql;
using Xunit.Abstractions;

namespace DrBot.Bot.Tests.EndToEnd.Live;

/// <summary>
/// A whole region fails over on real servers (see <see cref="LiveRegions"/>): the built bot in Live mode
/// detects the loss, opens one P1, stops at its gate; a lead approves; the cache and the database are
/// promoted, the application repointed to the configured URL, scaled, traffic switched, validated. The
/// reported RPO is checked against the acknowledged writes actually lost.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LiveRegionFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task East_us_dies_under_writes_and_the_approved_failover_completes_with_an_honest_rpo_and_fences_east_when_it_returns()
    {
        await using var live = await LiveRegions.StartAsync();
        using var stop = new CancellationTokenSource();
        var writer = live.WriteUntilFailureAsync(stop.Token);
        await live.WaitForHeartbeatsAsync(3);

        // The replica's streaming is cut, east keeps acknowledging for two seconds, then the whole region dies.
        await LiveRegions.ExecuteAsync(live.Pair.Replica, "ALTER SYSTEM SET primary_conninfo = ''");
        await LiveRegions.ExecuteAsync(live.Pair.Replica, "SELECT pg_reload_conf()");
        await Task.Delay(TimeSpan.FromSeconds(2));
        live.Pair.Primary.Kill();
        live.EastCache.Dispose();
        await live.EastHealth.DisposeAsync();
        await writer;

        // The monitor opens the P1 and starts the failover; it waits at the lead's gate.
        var gateCard = await live.RunCardAsync(t => t.Contains("Approval needed", StringComparison.Ordinal), Long);
        var gateText = CardJson.Text(gateCard["card"]);
        Assert.Contains("east-us could not be fenced: unreachable — if it comes back it may accept writes", gateText, StringComparison.Ordinal);
        var approve = CardJson.Actions(gateCard["card"]).Single(a => a.Verb == "approve");
        Assert.Equal("approve-failover", approve.Data["stepId"]);
        var reply = await live.Bot.ClickAsync("bob", gateCard["id"]!.GetValue<string>(), "approve", approve.Data);
        Assert.False(reply["reply"]!["isError"]!.GetValue<bool>(), reply.ToJsonString());

        var done = await live.RunCardAsync(Ended, Long);
        var text = CardJson.Text(done["card"]);
        Assert.True(text.Contains("✅ Succeeded", StringComparison.Ordinal), $"{text}\n{live.Bot.Output}");
        Assert.DoesNotContain("compensat", text, StringComparison.OrdinalIgnoreCase); // nothing rolled back

        // Cache and database promoted; core-api in west-us has the configured URL, which reaches the new primary.
        Assert.Equal("master", await live.CacheRoleAsync(live.WestCache));
        Assert.False(await LiveRegions.ScalarAsync<bool>(live.Pair.Replica, "SELECT pg_is_in_recovery()"));
        var deployment = live.WestCluster.Deployment(LiveRegions.Namespace, "core-api");
        var url = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>();
        Assert.Equal(LiveRegions.Url(live.Pair.Replica), url);
        await using (var app = new NpgsqlConnection(Runbooks.Infrastructure.Postgres.PostgresUrl.ToConnectionString(url)))
        {
            await app.OpenAsync();
            await using var write = new NpgsqlCommand("INSERT INTO orders(id) VALUES (-1)", app);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }
        Assert.Equal(3, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("Disabled", live.Arm.Resource(FakeAzureResourceManager.EndpointId("east-us"))["properties"]!["endpointStatus"]!.GetValue<string>());
        Assert.Equal("Enabled", live.Arm.Resource(FakeAzureResourceManager.EndpointId("west-us"))["properties"]!["endpointStatus"]!.GetValue<string>());

        // The RPO: at least the window of acknowledged writes actually lost, at most that plus one heartbeat interval.
        var present = await LiveRegions.IdsAsync(live.Pair.Replica.ConnectionString);
        var acknowledged = live.Acknowledged.ToList();
        var lost = acknowledged.Where(a => !present.Contains(a.Id)).ToList();
        var survived = acknowledged.Where(a => present.Contains(a.Id)).ToList();
        Assert.NotEmpty(lost);
        var window = (lost.Max(a => a.AckedAt) - survived.Max(a => a.AckedAt)).TotalSeconds;
        var rpo = Fact(text, "rpo seconds");
        Assert.Contains("RPO ≤", text, StringComparison.Ordinal);
        output.WriteLine($"{acknowledged.Count} writes acknowledged, {lost.Count} lost over a {window:F2} s window; reported {Line(text, "rpo basis")}");
        Assert.True(rpo >= window, $"reported RPO {rpo} s is below the {window:F2} s of acknowledged writes lost");
        Assert.True(rpo <= window + LiveRegions.Interval.TotalSeconds + 0.5, $"reported RPO {rpo} s is more than one interval over the {window:F2} s lost");

        // One P1, opened by the monitor; the RTO is reported in the timeline.
        var metrics = await live.Bot.Http.GetStringAsync("metrics");
        Assert.Contains("drbot_incidents_open{severity=\"P1\"} 1", metrics, StringComparison.Ordinal);
        var timeline = await live.Bot.WaitForMessageAsync(m => m["text"]!.GetValue<string>().StartsWith("Timeline:", StringComparison.Ordinal), Long);
        Assert.Contains("Elapsed", CardJson.Text(timeline["card"]), StringComparison.Ordinal);
        var summary = await live.Bot.WaitForMessageAsync(m => m["text"]!.GetValue<string>().StartsWith("Summary for INC-", StringComparison.Ordinal), Long);
        Assert.Matches(@"RTO\s+\d+s \(target 15m 00s\)", CardJson.Text(summary["card"]));

        // east-us comes back: within a probe interval it is fenced (read-only) before anyone can write to it.
        await live.Pair.Primary.StartAgainAsync();
        await live.Bot.WaitForMessageAsync(m => m["text"]!.GetValue<string>().Contains("east-us answered again and was fenced", StringComparison.Ordinal), Long);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => LiveRegions.ExecuteAsync(live.Pair.Primary, "INSERT INTO orders(id) VALUES (-2)"));
        Assert.Equal("25006", refused.SqlState);
    }

    /// <summary>The run card shows an outcome, or the stop past the point of no return.</summary>
    internal static bool Ended(string cardText) =>
        cardText.Contains("✅ Succeeded", StringComparison.Ordinal) || cardText.Contains("↩ Rolled back", StringComparison.Ordinal)
        || cardText.Contains("❌ Failed", StringComparison.Ordinal) || cardText.Contains("Stopped past the point of no return", StringComparison.Ordinal);

    private static double Fact(string cardText, string name) =>
        double.Parse(Line(cardText, name), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The value printed after a fact's name in the card's text.</summary>
    private static string Line(string cardText, string name)
    {
        var lines = cardText.Split('\n', StringSplitOptions.TrimEntries);
        var at = Array.FindIndex(lines, l => string.Equals(l, name, StringComparison.OrdinalIgnoreCase));
        Assert.True(at >= 0 && at + 1 < lines.Length, $"no fact '{name}' on the card:\n{cardText}");
        return lines[at + 1];
    }
}
