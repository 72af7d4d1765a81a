using System.Globalization;
using System.Text.RegularExpressions;
using DrBot.Bot.Tests.Support;
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
    [Fact]
    public async Task East_us_dies_under_writes_and_the_approved_failover_completes_with_an_honest_rpo_and_fences_east_when_it_returns()
    {
        await using var live = await LiveRegions.StartAsync();
        using var stop = new CancellationTokenSource();
        var writer = await live.WriteWithHeartbeatsAsync(3, stop.Token);

        // The replica's streaming is cut, east keeps acknowledging for two seconds, then the whole region dies.
        await LiveRegions.ExecuteAsync(live.Pair.Replica, "ALTER SYSTEM SET primary_conninfo = ''");
        await LiveRegions.ExecuteAsync(live.Pair.Replica, "SELECT pg_reload_conf()");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await live.KillEastAsync();
        await writer;

        // The monitor opens the P1 and starts the failover; it waits at the lead's gate, which Bob approves.
        var gateCard = await live.ApproveGateAsync();
        Assert.Contains("east-us could not be fenced: unreachable — if it comes back it may accept writes", CardJson.Text(gateCard["card"]), StringComparison.Ordinal);
        Assert.Equal("approve-failover", CardJson.Actions(gateCard["card"]).Single(a => a.Verb == "approve").Data["stepId"]);

        var (_, text) = await live.EndedRunCardAsync();
        Assert.True(text.Contains("✅ Succeeded", StringComparison.Ordinal), $"{text}\n{live.Bot.Output}");
        Assert.DoesNotContain("compensat", text, StringComparison.OrdinalIgnoreCase); // nothing rolled back

        // Cache and database promoted; core-api in west-us has the configured URL, which reaches the new primary.
        Assert.Equal("master", await live.CacheRoleAsync(live.WestCache));
        Assert.False(await LiveRegions.ScalarAsync<bool>(live.Pair.Replica, "SELECT pg_is_in_recovery()"));
        var url = LiveRegions.CoreApiDatabaseUrl(live.WestCluster);
        Assert.Equal(LiveRegions.Url(live.Pair.Replica), url);
        await using (var app = new NpgsqlConnection(Runbooks.Infrastructure.Postgres.PostgresUrl.ToConnectionString(url)))
        {
            await app.OpenAsync();
            await using var write = new NpgsqlCommand("INSERT INTO orders(id) VALUES (-1)", app);
            Assert.Equal(1, await write.ExecuteNonQueryAsync());
        }
        Assert.Equal(3, live.WestCluster.Deployment(LiveRegions.Namespace, "core-api")["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("Disabled", live.EndpointStatus("east-us"));
        Assert.Equal("Enabled", live.EndpointStatus("west-us"));

        // The RPO: at least the window of acknowledged writes actually lost. At most, that window plus the
        // silence the bot measured after east's last acknowledged heartbeat (at least one interval; longer when
        // the heartbeat came late), plus the writer's own resolution on each side of the window (acknowledgements
        // are seen only every so often: its largest gap between two), plus 0.1 s (the bound is rounded up to it).
        var (survived, lost) = await live.AcknowledgedOnWestAsync();
        Assert.NotEmpty(lost);
        var window = (lost.Max(a => a.AckedAt) - survived.Max(a => a.AckedAt)).TotalSeconds;
        var acks = survived.Concat(lost).Select(a => a.AckedAt).Order().ToList();
        var writerGap = acks.Zip(acks.Skip(1), (a, b) => (b - a).TotalSeconds).Max();
        var rpo = Fact(text, "rpo seconds");
        var basis = Line(text, "rpo basis");
        var silence = double.Parse(Regex.Match(basis, @"then silent (\d+\.\d) s").Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        output.WriteLine($"{survived.Count + lost.Count} writes acknowledged, {lost.Count} lost over a {window:F2} s window (writer gap ≤ {writerGap:F3} s); reported {basis}");
        Assert.StartsWith("RPO ≤", basis, StringComparison.Ordinal);
        Assert.True(rpo >= window, $"reported RPO {rpo} s is below the {window:F2} s of acknowledged writes lost");
        Assert.True(silence >= LiveRegions.Interval.TotalSeconds, $"silence {silence} s is shorter than the heartbeat interval");
        var most = window + silence + 2 * writerGap + 0.1;
        Assert.True(rpo <= most, $"reported RPO {rpo} s is more than the {window:F2} s lost + {silence} s of heartbeat silence + 2 × {writerGap:F3} s + 0.1 s = {most:F2} s");

        // One P1, opened by the monitor; the RTO is reported in the timeline.
        var metrics = await live.Bot.Http.GetStringAsync("metrics");
        Assert.Contains("drbot_incidents_open{severity=\"P1\"} 1", metrics, StringComparison.Ordinal);
        var timeline = await live.Bot.WaitForMessageAsync(m => m["text"]!.GetValue<string>().StartsWith("Timeline:", StringComparison.Ordinal), LiveRegions.LongWait);
        Assert.Contains("Elapsed", CardJson.Text(timeline["card"]), StringComparison.Ordinal);
        var summary = await live.Bot.WaitForMessageAsync(m => m["text"]!.GetValue<string>().StartsWith("Summary for INC-", StringComparison.Ordinal), LiveRegions.LongWait);
        Assert.Matches(@"RTO\s+\d+s \(target 15m 00s\)", CardJson.Text(summary["card"]));

        // east-us comes back: within a probe interval it is fenced (read-only) before anyone can write to it.
        await live.Pair.Primary.StartAgainAsync();
        await live.Bot.WaitForMessageAsync(m => m["text"]!.GetValue<string>().Contains("east-us answered again and was fenced", StringComparison.Ordinal), LiveRegions.LongWait);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => LiveRegions.ExecuteAsync(live.Pair.Primary, "INSERT INTO orders(id) VALUES (-2)"));
        Assert.Equal("25006", refused.SqlState);
    }

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
