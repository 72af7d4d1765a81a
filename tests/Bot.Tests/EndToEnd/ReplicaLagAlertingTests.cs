using System.Globalization;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Deploy.Support;
using DrBot.Bot.Tests.Integrations.Support;
using DrBot.Bot.Tests.Support;
using Npgsql;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// The whole monitoring path with real parts: a PostgreSQL primary and streaming replica whose replay
/// is paused (<c>pg_wal_replay_pause()</c>), Debian's postgres_exporter with
/// deploy/prometheus/postgres-exporter-queries.yaml, Prometheus evaluating deploy/prometheus/drbot-rules.yml,
/// Alertmanager routing to the bot's webhook, and the bot posting the critical card and paging
/// PagerDuty (a local stand-in of the Events API). Only the rules' <c>for:</c> durations are shortened
/// (1 m → 2 s) so the test does not wait minutes; expressions, thresholds and labels are the shipped ones.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReplicaLagAlertingTests
{
    private const string RoutingKey = "0123456789abcdef0123456789abcdef";
    private static string Inv(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_paused_replica_reaches_the_bot_through_prometheus_and_alertmanager_and_pages()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = deadline.Token;
        var root = Directory.CreateTempSubdirectory("drbot-lag-e2e-").FullName;
        await ChildProcess.GiveToPostgresAsync(root);
        var template = Path.Combine(root, "template");
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "initdb"),
            ["-D", template, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"], asPostgres: true);
        var pair = await PostgresPair.StartAsync(template, root);
        var pagerDuty = new PagerDutyStandIn(RoutingKey);
        await using var pagerDutyServer = await RecordingServer.StartAsync(pagerDuty.Answer);
        await using var bot = await BotProcess.StartAsync(Path.Combine(root, "bot"), new Dictionary<string, string>
        {
            ["DrBot__PagerDuty__RoutingKey"] = RoutingKey,
            ["DrBot__PagerDuty__ApiBaseUrl"] = pagerDutyServer.BaseUrl.ToString(),
        }, ct);
        try
        {
            // A committed transaction replayed on the replica, then replay paused: its lag grows from here.
            await Sql.ExecuteAsync(pair.Primary.ConnectionString, "CREATE TABLE heartbeat(at timestamptz); INSERT INTO heartbeat VALUES (now())", ct);
            await WaitForReplayAsync(pair, ct);
            await Sql.ExecuteAsync(pair.Replica.ConnectionString, "SELECT pg_wal_replay_pause()", ct);

            var exporterPort = ChildProcess.FreePort();
            using var exporter = ServiceProcess.Start("prometheus-postgres-exporter",
                [$"--web.listen-address=127.0.0.1:{Inv(exporterPort)}", $"--extend.query-path={Path.Combine(RepoPaths.Root, "deploy", "prometheus", "postgres-exporter-queries.yaml")}",
                 "--disable-settings-metrics"],
                new Dictionary<string, string> { ["DATA_SOURCE_NAME"] = $"postgresql://postgres@127.0.0.1:{Inv(pair.Replica.Port)}/postgres?sslmode=disable" });
            await exporter.WaitReadyAsync(new Uri($"http://127.0.0.1:{Inv(exporterPort)}/metrics"), ct);

            var alertmanagerPort = ChildProcess.FreePort();
            var alertmanagerDir = Path.Combine(root, "alertmanager");
            Directory.CreateDirectory(alertmanagerDir);
            await File.WriteAllTextAsync(Path.Combine(alertmanagerDir, "alertmanager.yml"), AlertmanagerConfig(bot.BaseUri), ct);
            using var alertmanager = ServiceProcess.Start("prometheus-alertmanager",
                [$"--config.file={Path.Combine(alertmanagerDir, "alertmanager.yml")}", $"--storage.path={alertmanagerDir}",
                 $"--web.listen-address=127.0.0.1:{Inv(alertmanagerPort)}", "--cluster.listen-address="]);
            await alertmanager.WaitReadyAsync(new Uri($"http://127.0.0.1:{Inv(alertmanagerPort)}/-/ready"), ct);

            var prometheusPort = ChildProcess.FreePort();
            var prometheusDir = Path.Combine(root, "prometheus");
            Directory.CreateDirectory(prometheusDir);
            var rules = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "prometheus", "drbot-rules.yml"), ct);
            Assert.Contains("for: 1m", rules, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(prometheusDir, "drbot-rules.yml"), rules.Replace("for: 1m", "for: 2s", StringComparison.Ordinal), ct);
            await File.WriteAllTextAsync(Path.Combine(prometheusDir, "prometheus.yml"), PrometheusConfig(exporterPort, alertmanagerPort), ct);
            using var prometheus = ServiceProcess.Start("prometheus",
                [$"--config.file={Path.Combine(prometheusDir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(prometheusDir, "data")}",
                 $"--web.listen-address=127.0.0.1:{Inv(prometheusPort)}"]);
            await prometheus.WaitReadyAsync(new Uri($"http://127.0.0.1:{Inv(prometheusPort)}/-/ready"), ct);

            // First the warning (> 10 s), then the page (> 30 s): the critical card and a PagerDuty trigger.
            var critical = await WaitForAsync(async () => (await bot.MessagesAsync(CancellationToken.None)).OfType<JsonObject>()
                .FirstOrDefault(m => m["text"]?.GetValue<string>().Contains("Paging on-call", StringComparison.Ordinal) == true), "the bot's paging notice", exporter, prometheus, alertmanager, bot, ct);
            var notice = critical["text"]!.GetValue<string>();
            Assert.Contains("replication lag", notice, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("west-us", notice, StringComparison.Ordinal);
            var trigger = await WaitForAsync(() => Task.FromResult(pagerDutyServer.Requests.FirstOrDefault(r => r.Status == 202)), "a PagerDuty trigger", exporter, prometheus, alertmanager, bot, ct);
            Assert.Equal("trigger", (string?)trigger.Json["event_action"]);
            Assert.Equal("error", (string?)trigger.Json["payload"]!["severity"]);
            Assert.Equal("west-us", (string?)trigger.Json["payload"]!["component"]);
            Assert.Contains("ReplicationLag", (string?)trigger.Json["payload"]!["summary"], StringComparison.Ordinal);
            var messages = (await bot.MessagesAsync(ct)).OfType<JsonObject>().Select(m => m["text"]?.GetValue<string>() ?? "").ToList();
            Assert.Contains(messages, t => t.Contains("HighReplicationLag", StringComparison.Ordinal) || t.Contains("🟠", StringComparison.Ordinal));
        }
        finally
        {
            await pair.StopAsync();
        }
    }

    private static string PrometheusConfig(int exporterPort, int alertmanagerPort) => $"""
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: [drbot-rules.yml]
        alerting:
          alertmanagers:
            - static_configs: [{"{"} targets: ['127.0.0.1:{Inv(alertmanagerPort)}'] {"}"}]
        scrape_configs:
          - job_name: postgres
            static_configs:
              - targets: ['127.0.0.1:{Inv(exporterPort)}']
                labels: {"{"} region: west-us {"}"}
        """;

    /// <summary>The shipped route (deploy/prometheus/alertmanager.yml) with the test bot's URL, inline token and short waits.</summary>
    private static string AlertmanagerConfig(Uri bot) => $"""
        route:
          receiver: drbot
          group_by: [alertname, region]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: drbot
            webhook_configs:
              - url: {new Uri(bot, "api/alerts/alertmanager")}
                send_resolved: true
                http_config:
                  authorization: {"{"} type: Bearer, credentials: test-alert-token {"}"}
        """;

    private static async Task WaitForReplayAsync(PostgresPair pair, CancellationToken ct)
    {
        while (true)
        {
            await using var connection = new NpgsqlConnection(pair.Replica.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relname = 'heartbeat' AND pg_last_xact_replay_timestamp() IS NOT NULL", connection);
            if ((long)(await command.ExecuteScalarAsync(ct))! > 0)
                return;
            await Task.Delay(50, ct);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> read, string what, ServiceProcess exporter, ServiceProcess prometheus, ServiceProcess alertmanager, BotProcess bot, CancellationToken ct)
        where T : class
    {
        while (true)
        {
            if (await read() is { } found)
                return found;
            if (ct.IsCancellationRequested)
                throw new TimeoutException($"no {what}.\nexporter:\n{exporter.Output}\nprometheus:\n{Tail(prometheus.Output)}\nalertmanager:\n{Tail(alertmanager.Output)}\nbot:\n{Tail(bot.Output)}");
            await Task.Delay(500, CancellationToken.None);
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
