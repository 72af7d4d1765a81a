using System.Net;
using System.Text.Json;
using DrBot.Bot.Alerts;

namespace DrBot.Bot.Tests.Alerts.Intake;

/// <summary>The webhooks over real HTTP, with the real LiteDB store and a recording sink.</summary>
public sealed class AlertWebhookTests : IAsyncLifetime
{
    private const string Alertmanager = "/api/alerts/alertmanager";
    private AlertWebhookHost _host = null!;

    public async Task InitializeAsync() => _host = await AlertWebhookHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static async Task<(int Accepted, int Duplicates)> SummaryAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("accepted").GetInt32(), json.RootElement.GetProperty("duplicates").GetInt32());
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)expected, json.RootElement.GetProperty("status").GetInt32());
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task The_same_Alertmanager_payload_sent_five_times_reaches_the_sink_once()
    {
        var summaries = new List<(int, int)>();
        for (var i = 0; i < 5; i++)
        {
            summaries.Add(await SummaryAsync(await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager())));
        }

        Assert.Equal([(1, 0), (0, 1), (0, 1), (0, 1), (0, 1)], summaries);
        var (alert, decision) = Assert.Single(_host.Sink.Items);
        Assert.Equal("ReplicationLag", alert.Name);
        Assert.Equal(AlertAction.PageOnCall, decision.Action); // 42 s > 30 s
    }

    [Fact]
    public async Task Concurrent_redeliveries_of_one_payload_still_reach_the_sink_once()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "concurrent01"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(_host.Sink.Items);
    }

    [Fact]
    public async Task An_alert_repeated_inside_one_generic_array_is_accepted_once()
    {
        const string body = """[{"name":"replication_lag","status":"firing","value":12,"id":"same"},{"name":"replication_lag","status":"firing","value":12,"id":"same"}]""";

        var summary = await SummaryAsync(await _host.PostAsync("/api/alerts/generic", body));

        Assert.Equal((1, 1), summary);
        Assert.Single(_host.Sink.Items);
    }

    [Fact]
    public async Task A_resolved_alert_after_firing_reaches_the_sink_once_as_resolved()
    {
        await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager());
        var resolved = await SummaryAsync(await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(status: "resolved")));
        var again = await SummaryAsync(await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(status: "resolved")));

        Assert.Equal((1, 0), resolved);
        Assert.Equal((0, 1), again);
        var items = _host.Sink.Items.ToList();
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], items.Select(i => i.Alert.Status));
        Assert.Equal(AlertAction.Resolve, items[1].Decision.Action);
        Assert.Equal(items[0].Alert.GroupKey, items[1].Alert.GroupKey); // the same card is updated
    }

    [Fact]
    public async Task A_group_of_ten_alerts_arrives_as_one_batch_for_one_card()
    {
        var summary = await SummaryAsync(await _host.PostAsync(Alertmanager, AlertSamples.AlertmanagerGroup(10)));

        Assert.Equal((10, 0), summary);
        var batch = Assert.Single(_host.Sink.Batches);
        Assert.Equal(10, batch.Items.Count);
        Assert.Equal("alertmanager:{}:{alertname=\"ReplicationLag\"}", batch.GroupKey);
        // Values 12..21 s: all over the warning threshold, none over the critical one.
        Assert.All(batch.Items, i => Assert.Equal(AlertAction.NotifyTeam, i.Decision.Action));
    }

    [Fact]
    public async Task An_Azure_Monitor_region_down_alert_opens_a_P1_incident_with_the_failover_runbook()
    {
        var summary = await SummaryAsync(await _host.PostAsync("/api/alerts/azure-monitor", AlertSamples.AzureMonitor()));
        var duplicate = await SummaryAsync(await _host.PostAsync("/api/alerts/azure-monitor", AlertSamples.AzureMonitor()));

        Assert.Equal((1, 0), summary);
        Assert.Equal((0, 1), duplicate);
        var (alert, decision) = Assert.Single(_host.Sink.Items);
        Assert.Equal("east-us", alert.Region);
        Assert.Equal(AlertAction.OpenIncidentAndProposeFailover, decision.Action);
        Assert.Equal("P1", decision.Severity);
        Assert.Equal("region-failover", decision.Runbook);
    }

    [Fact]
    public async Task Generic_backup_failures_page_on_call_at_the_second_delivery_in_a_row()
    {
        const string first = """{"name":"backup_failed","status":"firing","id":"backup-0200","labels":{"job":"pg-full"}}""";
        const string second = """{"name":"backup_failed","status":"firing","id":"backup-0300","labels":{"job":"pg-full"}}""";

        await _host.PostAsync("/api/alerts/generic", first);
        await _host.PostAsync("/api/alerts/generic", first); // a retry of the first is not a second failure
        await _host.PostAsync("/api/alerts/generic", second);

        Assert.Equal([AlertAction.Record, AlertAction.PageOnCall], _host.Sink.Items.Select(i => i.Decision.Action));
    }

    [Fact]
    public async Task A_generic_array_is_split_into_one_batch_per_group()
    {
        const string body = """
            [{"name":"replication_lag","status":"firing","region":"east-us","value":10.5,"id":"l1"},
             {"name":"BackupLate","status":"firing","value":7200,"id":"b1"},
             {"name":"replication_lag","status":"firing","region":"east-us","value":31,"id":"l2"}]
            """;

        var summary = await SummaryAsync(await _host.PostAsync("/api/alerts/generic", body));

        Assert.Equal((3, 0), summary);
        var batches = _host.Sink.Batches.ToList();
        Assert.Equal(["generic:replication_lag/east-us", "generic:BackupLate/"], batches.Select(b => b.GroupKey));
        Assert.Equal([AlertAction.NotifyTeam, AlertAction.PageOnCall], batches[0].Items.Select(i => i.Decision.Action));
        Assert.Equal(AlertAction.NotifyTeam, Assert.Single(batches[1].Items).Decision.Action);
    }

    [Fact]
    public async Task When_the_sink_fails_the_answer_is_500_and_the_senders_retry_is_accepted_once()
    {
        _host.Sink.FailNext(1);

        var failed = await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "sinkfail01"));
        var retry = await SummaryAsync(await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "sinkfail01")));
        var retryAgain = await SummaryAsync(await _host.PostAsync(Alertmanager, AlertSamples.Alertmanager(fingerprint: "sinkfail01")));

        await ProblemAsync(failed, HttpStatusCode.InternalServerError);
        Assert.Equal((1, 0), retry);
        Assert.Equal((0, 1), retryAgain);
        Assert.Single(_host.Sink.Items);
    }
}
