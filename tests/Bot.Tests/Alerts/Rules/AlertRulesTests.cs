using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Rules;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Tests.Alerts.Rules;

public sealed class AlertRulesTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly TempLiteDbStore _store = new();
    private readonly AlertRules _rules;

    public AlertRulesTests()
    {
        _rules = new AlertRules(Options.Create(new AlertRulesOptions()), _store.Store);
    }

    public void Dispose() => _store.Dispose();

    private static NormalizedAlert Alert(string name, double? value = null, AlertStatus status = AlertStatus.Firing, string? region = "east-us", Dictionary<string, string>? labels = null) =>
        new("test", Guid.NewGuid().ToString("N"), "g", name, status, region, value, name, labels ?? [], Start, null);

    [Theory]
    [InlineData(5, AlertAction.Record, "P4")]
    [InlineData(10, AlertAction.Record, "P4")]
    [InlineData(10.5, AlertAction.NotifyTeam, "P3")]
    [InlineData(30, AlertAction.NotifyTeam, "P3")]
    [InlineData(31, AlertAction.PageOnCall, "P2")]
    public async Task Replication_lag_notifies_the_team_over_10_s_and_pages_on_call_over_30_s(double seconds, AlertAction action, string severity)
    {
        var decision = await _rules.DecideAsync(Alert("ReplicationLag", seconds), CancellationToken.None);

        Assert.Equal(action, decision.Action);
        Assert.Equal(severity, decision.Severity);
        Assert.Equal("replication_lag", decision.Rule);
        Assert.Contains("east-us", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replication_lag")]
    [InlineData("high-replication-lag")]
    [InlineData("REPLICATIONLAG")]
    public async Task Alert_names_match_ignoring_case_and_punctuation(string name)
    {
        var decision = await _rules.DecideAsync(Alert(name, 45), CancellationToken.None);

        Assert.Equal(AlertAction.PageOnCall, decision.Action);
    }

    [Fact]
    public async Task A_lag_alert_without_a_value_follows_its_own_severity_label()
    {
        var critical = await _rules.DecideAsync(Alert("ReplicationLag", labels: new() { ["severity"] = "critical" }), CancellationToken.None);
        var plain = await _rules.DecideAsync(Alert("ReplicationLag"), CancellationToken.None);

        Assert.Equal(AlertAction.PageOnCall, critical.Action);
        Assert.Equal(AlertAction.NotifyTeam, plain.Action);
    }

    [Fact]
    public async Task Thresholds_come_from_configuration()
    {
        var options = new AlertRulesOptions { ReplicationLag = { WarningSeconds = 60, CriticalSeconds = 120, Names = ["pg_lag"] } };
        var rules = new AlertRules(Options.Create(options), _store.Store);

        Assert.Equal(AlertAction.Record, (await rules.DecideAsync(Alert("pg_lag", 45), CancellationToken.None)).Action);
        Assert.Equal(AlertAction.NotifyTeam, (await rules.DecideAsync(Alert("pg_lag", 90), CancellationToken.None)).Action);
        var unlisted = await rules.DecideAsync(Alert("ReplicationLag", 500), CancellationToken.None);
        Assert.Equal(AlertAction.Record, unlisted.Action); // configured names replace the defaults
        Assert.Null(unlisted.Rule);
    }

    [Fact]
    public async Task Backup_failure_pages_on_call_at_the_second_failure_in_a_row()
    {
        var first = await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "pg-full" }), CancellationToken.None);
        var second = await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "pg-full" }), CancellationToken.None);

        Assert.Equal(AlertAction.Record, first.Action);
        Assert.Contains("1 time(s) in a row", first.Reason, StringComparison.Ordinal);
        Assert.Equal(AlertAction.PageOnCall, second.Action);
        Assert.Equal("P2", second.Severity);
        Assert.Contains("pg-full failed 2 times in a row", second.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_failures_are_counted_per_job_and_reset_by_a_success_or_a_resolve()
    {
        await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "a" }), CancellationToken.None);
        var otherJob = await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "b" }), CancellationToken.None);
        await _rules.DecideAsync(Alert("BackupSucceeded", labels: new() { ["job"] = "a" }), CancellationToken.None);
        var afterSuccess = await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "a" }), CancellationToken.None);
        var resolved = await _rules.DecideAsync(Alert("BackupFailed", status: AlertStatus.Resolved, labels: new() { ["job"] = "b" }), CancellationToken.None);
        var afterResolve = await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "b" }), CancellationToken.None);

        Assert.Equal(AlertAction.Record, otherJob.Action);
        Assert.Equal(AlertAction.Record, afterSuccess.Action);
        Assert.Equal(AlertAction.Resolve, resolved.Action);
        Assert.Equal(AlertAction.Record, afterResolve.Action);
    }

    [Fact]
    public async Task The_failure_count_survives_a_new_rules_instance_because_it_lives_in_the_store()
    {
        await _rules.DecideAsync(Alert("backup_failure", labels: new() { ["job"] = "etcd" }), CancellationToken.None);
        var restarted = new AlertRules(Options.Create(new AlertRulesOptions()), _store.Store);

        var second = await restarted.DecideAsync(Alert("backup_failure", labels: new() { ["job"] = "etcd" }), CancellationToken.None);

        Assert.Equal(AlertAction.PageOnCall, second.Action);
    }

    [Fact]
    public async Task A_consecutive_failures_label_is_trusted_over_the_count()
    {
        var decision = await _rules.DecideAsync(Alert("BackupFailed", labels: new() { ["job"] = "wal", ["consecutive_failures"] = "3" }), CancellationToken.None);

        Assert.Equal(AlertAction.PageOnCall, decision.Action);
        Assert.Contains("3 times", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3600, AlertAction.Record)]
    [InlineData(3601, AlertAction.NotifyTeam)]
    [InlineData(5400, AlertAction.NotifyTeam)]
    public async Task A_backup_more_than_an_hour_late_notifies_the_team(double secondsLate, AlertAction action)
    {
        var decision = await _rules.DecideAsync(Alert("BackupLate", secondsLate), CancellationToken.None);

        Assert.Equal(action, decision.Action);
        Assert.Equal("backup_delay", decision.Rule);
    }

    [Theory]
    [InlineData("RegionDown")]
    [InlineData("health_check_failed")]
    public async Task Region_down_opens_a_P1_incident_and_proposes_the_region_failover_runbook(string name)
    {
        var decision = await _rules.DecideAsync(Alert(name, region: "east-us"), CancellationToken.None);

        Assert.Equal(AlertAction.OpenIncidentAndProposeFailover, decision.Action);
        Assert.Equal("P1", decision.Severity);
        Assert.Equal("region-failover", decision.Runbook);
        Assert.Contains("east-us", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolved_alert_resolves_with_its_rules_severity()
    {
        var decision = await _rules.DecideAsync(Alert("RegionDown", status: AlertStatus.Resolved), CancellationToken.None);

        Assert.Equal(AlertAction.Resolve, decision.Action);
        Assert.Equal("P1", decision.Severity);
    }

    [Theory]
    [InlineData("Sev0", "P1")]
    [InlineData("Sev1", "P2")]
    [InlineData("warning", "P3")]
    [InlineData("info", "P4")]
    public async Task An_alert_no_rule_knows_is_recorded_with_a_severity_from_its_labels(string severity, string expected)
    {
        var decision = await _rules.DecideAsync(Alert("DiskAlmostFull", labels: new() { ["severity"] = severity }), CancellationToken.None);

        Assert.Equal(AlertAction.Record, decision.Action);
        Assert.Equal(expected, decision.Severity);
        Assert.Null(decision.Rule);
    }
}
