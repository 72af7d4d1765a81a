using System.Text.Json;
using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Parsing;
using DrBot.Bot.Alerts.Rules;
using DrBot.Bot.Tests.Support;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace DrBot.Bot.Tests.Deploy;

/// <summary>
/// deploy/prometheus: the strategy's alerting as Prometheus rules, checked by Debian's promtool
/// (unit tests on both sides of every threshold) and amtool, and the alerts those tests expect fed
/// through the bot's own Alertmanager parser and alert rules: each must get the action its
/// <c>drbot_action</c> label says the strategy wants.
/// </summary>
public sealed class PrometheusRulesTests
{
    private static readonly string Dir = Path.Combine(RepoPaths.Root, "deploy", "prometheus");

    [Fact]
    public async Task Promtool_passes_the_rule_unit_tests()
    {
        var output = await ChildProcess.RunAsync("promtool", ["test", "rules", Path.Combine(Dir, "drbot-rules.test.yml")]);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rule_unit_tests_catch_a_wrong_threshold()
    {
        // A copy with the page threshold at 60 s must fail the same unit tests.
        var copy = Directory.CreateTempSubdirectory("drbot-rules-");
        try
        {
            var rules = await File.ReadAllTextAsync(Path.Combine(Dir, "drbot-rules.yml"));
            Assert.Contains("(pg_replication_lag) > 30\n", rules, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(copy.FullName, "drbot-rules.yml"), rules.Replace("(pg_replication_lag) > 30\n", "(pg_replication_lag) > 60\n", StringComparison.Ordinal));
            File.Copy(Path.Combine(Dir, "drbot-rules.test.yml"), Path.Combine(copy.FullName, "drbot-rules.test.yml"));
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                ChildProcess.RunAsync("promtool", ["test", "rules", Path.Combine(copy.FullName, "drbot-rules.test.yml")]));
            Assert.Contains("alertname: ReplicationLag", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Prometheus_and_alertmanager_configurations_are_valid()
    {
        Assert.Contains("SUCCESS", await ChildProcess.RunAsync("promtool", ["check", "config", Path.Combine(Dir, "prometheus.yml")]), StringComparison.Ordinal);
        Assert.Contains("SUCCESS", await ChildProcess.RunAsync("amtool", ["check-config", Path.Combine(Dir, "alertmanager.yml")]), StringComparison.Ordinal);
        var alertmanager = await File.ReadAllTextAsync(Path.Combine(Dir, "alertmanager.yml"));
        Assert.Contains("/api/alerts/alertmanager", alertmanager, StringComparison.Ordinal);
        Assert.Contains("send_resolved: true", alertmanager, StringComparison.Ordinal);
    }

    public static TheoryData<string> ExpectedAlerts()
    {
        var data = new TheoryData<string>();
        foreach (var alert in ExpectedAlertsOfTheUnitTests())
            data.Add(JsonSerializer.Serialize(alert));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExpectedAlerts))]
    public async Task Each_alert_the_rules_raise_gets_the_strategys_action_from_the_bot(string alertJson)
    {
        var alert = JsonSerializer.Deserialize<ExpectedAlert>(alertJson)!;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            version = "4",
            groupKey = "{}:{alertname=\"" + alert.Labels["alertname"] + "\"}",
            status = "firing",
            receiver = "drbot",
            alerts = new[]
            {
                new { status = "firing", labels = alert.Labels, annotations = alert.Annotations, startsAt = "2026-01-01T00:00:00Z", fingerprint = "f1" },
            },
        });
        var parsed = AlertmanagerParser.Parse(body);
        Assert.True(parsed.IsValid, parsed.Error?.ToString());

        var rules = new AlertRules(Options.Create(new AlertRulesOptions()), new InMemoryIdempotencyStore());
        var decision = await rules.DecideAsync(Assert.Single(parsed.Alerts), CancellationToken.None);

        var expected = alert.Labels["drbot_action"] switch
        {
            "page_on_call" => AlertAction.PageOnCall,
            "notify_team" => AlertAction.NotifyTeam,
            "automatic_failover" => AlertAction.OpenIncidentAndProposeFailover,
            var other => throw new InvalidOperationException($"unknown drbot_action '{other}'"),
        };
        Assert.Equal(expected, decision.Action);
        Assert.Equal(alert.Labels["region"], parsed.Alerts[0].Region);
    }

    public sealed record ExpectedAlert(Dictionary<string, string> Labels, Dictionary<string, string> Annotations);

    /// <summary>The <c>exp_alerts</c> of drbot-rules.test.yml, which promtool proves the rules produce.</summary>
    private static List<ExpectedAlert> ExpectedAlertsOfTheUnitTests()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Dir, "drbot-rules.test.yml")))
            yaml.Load(reader);
        var alerts = new List<ExpectedAlert>();
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        foreach (var test in ((YamlSequenceNode)root.Children[new YamlScalarNode("tests")]).Children.Cast<YamlMappingNode>())
        {
            foreach (var check in ((YamlSequenceNode)test.Children[new YamlScalarNode("alert_rule_test")]).Children.Cast<YamlMappingNode>())
            {
                var name = ((YamlScalarNode)check.Children[new YamlScalarNode("alertname")]).Value!;
                foreach (var expected in ((YamlSequenceNode)check.Children[new YamlScalarNode("exp_alerts")]).Children.Cast<YamlMappingNode>())
                {
                    var labels = Map(expected, "exp_labels");
                    labels["alertname"] = name;
                    alerts.Add(new ExpectedAlert(labels, Map(expected, "exp_annotations")));
                }
            }
        }
        Assert.True(alerts.Count >= 5, "every rule has a firing case in the unit tests");
        return alerts;
    }

    private static Dictionary<string, string> Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var map)
            ? ((YamlMappingNode)map).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!)
            : [];
}
