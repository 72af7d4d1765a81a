using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Integrations.Support;
using DrBot.Bot.Tests.Support;

namespace DrBot.Bot.Tests.Observability;

/// <summary>
/// The running bot's /metrics (prometheus-net: conventions, histograms that move), OpenTelemetry
/// traces sent to a local OTLP/HTTP receiver when OTEL_EXPORTER_OTLP_ENDPOINT is set, and JSON
/// console logs with the one start line per integration.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ObservabilityTests
{
    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [Fact]
    public async Task Metrics_follow_prometheus_conventions_and_the_histograms_record_what_happened()
    {
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-metrics-" + Guid.NewGuid().ToString("N")));
        await bot.SendAsync("alice", "/failover west-us");
        await bot.WaitForMessageAsync(m => CardJson.Actions(m["card"]).Any(a => a.Verb == "approve"), TimeSpan.FromSeconds(60));
        using (var alert = new HttpRequestMessage(HttpMethod.Post, "api/alerts/alertmanager") { Content = new StringContent(AlertFlowTests.RegionDown, Encoding.UTF8, "application/json") })
        {
            alert.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-alert-token");
            using var answer = await bot.Http.SendAsync(alert);
            answer.EnsureSuccessStatusCode();
        }

        using var response = await bot.Http.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var types = TypeLine().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach (var (name, type) in types)
            Assert.True(name.EndsWith("_total", StringComparison.Ordinal) == (type == "counter"), $"{name} is a {type}: only counters end in _total");
        Assert.Equal("gauge", types["drbot_runs"]);
        Assert.Equal("gauge", types["drbot_outbox_backlog"]);
        Assert.Equal("counter", types["drbot_runs_finished_total"]);
        foreach (var histogram in new[] { "drbot_step_duration_seconds", "drbot_approval_wait_seconds", "drbot_rto_seconds", "drbot_alert_intake_duration_seconds" })
            Assert.Equal("histogram", types[histogram]);
        Assert.Contains("drbot_runs{outcome=\"none\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("drbot_gates_pending 1", text, StringComparison.Ordinal);
        // The pre-checks ran as steps, and the alert delivery was timed.
        var counts = string.Join('\n', text.Split('\n').Where(l => l.Contains("_count{", StringComparison.Ordinal)));
        Assert.True(Regex.IsMatch(text, @"drbot_step_duration_seconds_count\{runbook=""region-failover"",step=""[^""]+"",status=""[a-z]+""\} [1-9]"), counts);
        Assert.True(Regex.IsMatch(text, @"drbot_alert_intake_duration_seconds_count\{source=""alertmanager"",code=""200""\} 1"), counts);
    }

    [Fact]
    public async Task Traces_go_to_the_otlp_endpoint_and_logs_are_json_lines()
    {
        await using var collector = await RecordingServer.StartAsync(_ => new StandInAnswer(200, ""));
        await using var bot = await BotProcess.StartAsync(Path.Combine(Path.GetTempPath(), "drbot-otel-" + Guid.NewGuid().ToString("N")), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__DrBot.Bot.Integrations"] = "Information",
        });
        await bot.SendAsync("alice", "/failover west-us");
        await bot.WaitForMessageAsync(m => CardJson.Actions(m["card"]).Any(a => a.Verb == "approve"), TimeSpan.FromSeconds(60));

        // OTLP/HTTP carries protobuf: span names and attribute values are there as UTF-8 strings.
        var traces = await WaitForAsync(() => collector.Requests.Where(r => r.Path == "/v1/traces").Select(r => r.Body).ToList(),
            bodies => bodies.Any(b => b.Contains("api/local/messages", StringComparison.Ordinal)) && bodies.Any(b => b.Contains("step ", StringComparison.Ordinal)));
        Assert.Contains(traces, b => b.Contains("region-failover", StringComparison.Ordinal));
        Assert.All(collector.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));

        var logs = bot.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var startLines = logs.Where(l => l.Contains("Integration pagerduty", StringComparison.Ordinal)).ToList();
        var line = JsonDocument.Parse(Assert.Single(startLines)).RootElement;
        Assert.Equal("DrBot.Bot.Integrations.IntegrationStartupReport", line.GetProperty("Category").GetString());
        Assert.Contains("not configured (DrBot:PagerDuty:RoutingKey is empty)", line.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    private static async Task<List<string>> WaitForAsync(Func<List<string>> read, Func<List<string>, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = read();
            if (done(value))
                return value;
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"the OTLP receiver got {value.Count} trace exports without the expected spans");
            await Task.Delay(100, CancellationToken.None);
        }
    }
}
