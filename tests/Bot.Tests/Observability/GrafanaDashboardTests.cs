using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DrBot.Bot.Observability;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Observability;

/// <summary>
/// deploy/grafana/drbot-dashboard.json: every panel query is valid PromQL (promtool parses them as
/// recording rules) and asks only for metrics the bot exports.
/// </summary>
public sealed partial class GrafanaDashboardTests
{
    [GeneratedRegex(@"\bdrbot_[a-z_]+")]
    private static partial Regex MetricName();

    private static List<string> Queries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "grafana", "drbot-dashboard.json")))!;
        return dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => (string)t!["expr"]!).ToList();
    }

    [Fact]
    public async Task Every_panel_query_is_valid_promql()
    {
        var file = Path.Combine(Path.GetTempPath(), $"drbot-dashboard-{Guid.NewGuid():N}.rules.yml");
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        foreach (var (query, i) in Queries().Select((q, i) => (q, i)))
            rules.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - record: dashboard_query_{i}\n        expr: '{query.Replace("'", "''", StringComparison.Ordinal)}'\n");
        await File.WriteAllTextAsync(file, rules.ToString());
        try
        {
            Assert.Contains($"SUCCESS: {Queries().Count} rules found", await ChildProcess.RunAsync("promtool", ["check", "rules", file]), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_metric_the_dashboard_asks_for_is_exported_by_the_bot()
    {
        await using var bot = InProcessBot.Create();
        using var exported = new MemoryStream();
        await bot.Get<DrBotMetrics>().Registry.CollectAndExportAsTextAsync(exported, CancellationToken.None);
        var text = Encoding.UTF8.GetString(exported.ToArray());
        var names = Regex.Matches(text, @"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

        foreach (var metric in Queries().SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).Distinct())
        {
            var family = Regex.Replace(metric, "_(bucket|count|sum)$", "");
            Assert.True(names.ContainsKey(family), $"the dashboard asks for {metric}, which the bot does not export ({string.Join(", ", names.Keys)})");
            if (metric.EndsWith("_bucket", StringComparison.Ordinal))
                Assert.Equal("histogram", names[family]);
        }
    }
}
