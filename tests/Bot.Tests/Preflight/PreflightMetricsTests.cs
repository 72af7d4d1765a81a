using System.Text.RegularExpressions;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Preflight;

/// <summary>The running bot evaluates every failover runbook at start (its stored timer is due at once) and shows the result on /metrics.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PreflightMetricsTests
{
    [Fact]
    public async Task The_bot_runs_a_preflight_on_its_own_and_reports_it_as_gauges_on_metrics()
    {
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-preflight-" + Guid.NewGuid().ToString("N")), new Dictionary<string, string>
        {
            ["DrBot__Preflight__Interval"] = "01:00:00",
        });

        var text = "";
        for (var i = 0; i < 600 && !text.Contains("\ndrbot_preflight_last_run_timestamp_seconds ", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            text = await bot.Http.GetStringAsync("metrics");
        }

        var preflight = string.Join('\n', text.Split('\n').Where(l => l.Contains("preflight", StringComparison.Ordinal)));
        Assert.True(preflight.Contains("drbot_preflight_ready{runbook=\"region-failover\",region=\"west-us\"} 1", StringComparison.Ordinal), preflight);
        Assert.Contains("# TYPE drbot_preflight_ready gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE drbot_preflight_status gauge", text, StringComparison.Ordinal);
        Assert.Contains("drbot_preflight_ready{runbook=\"region-failover\",region=\"west-us\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("drbot_preflight_status{runbook=\"database-failover\",region=\"west-us\"} 0", text, StringComparison.Ordinal);
        Assert.Matches(new Regex("drbot_preflight_steps\\{runbook=\"region-failover\",region=\"west-us\",readiness=\"ready\"\\} [1-9][0-9]*"), text);
        Assert.Contains("drbot_preflight_steps{runbook=\"region-failover\",region=\"west-us\",readiness=\"blocked\"} 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("region=\"east-us\"", text, StringComparison.Ordinal); // the serving region is no target
    }
}
