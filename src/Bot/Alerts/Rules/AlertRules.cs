using System.Globalization;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Alerts.Rules;

/// <summary>
/// The strategy's alert rules (DR-STRATEGY.md, "Alert Configuration"): which action an accepted
/// alert asks for. Alerts are recognised by name (Alertmanager <c>alertname</c>, Azure
/// <c>alertRule</c>, generic <c>name</c>) against each rule's name list; thresholds read the alert's
/// value. Backup failures are counted per job in the store so "twice in a row" survives restarts.
/// </summary>
public sealed class AlertRules
{
    private const string CounterPrefix = "alerts:backup-failures:";
    private readonly AlertRulesOptions _options;
    private readonly IIdempotencyStore _store;
    private readonly HashSet<string> _lagNames;
    private readonly HashSet<string> _backupFailedNames;
    private readonly HashSet<string> _backupSuccessNames;
    private readonly HashSet<string> _backupLateNames;
    private readonly HashSet<string> _regionDownNames;
    // Counter updates are read-modify-write; serialise the one-at-a-time callers in this process.
    private readonly SemaphoreSlim _counterLock = new(1, 1);

    public AlertRules(IOptions<AlertRulesOptions> options, IIdempotencyStore store)
    {
        _options = options.Value;
        _store = store;
        _lagNames = Names(_options.ReplicationLag.Names, "ReplicationLag", "HighReplicationLag", "PostgresReplicationLag");
        _backupFailedNames = Names(_options.BackupFailure.Names, "BackupFailed", "BackupFailure");
        _backupSuccessNames = Names(_options.BackupFailure.SuccessNames, "BackupSucceeded", "BackupSuccess", "BackupCompleted");
        _backupLateNames = Names(_options.BackupLate.Names, "BackupLate", "BackupDelay", "BackupDelayed");
        _regionDownNames = Names(_options.RegionDown.Names, "RegionDown", "RegionUnavailable", "HealthCheckFailed");
    }

    /// <summary>Decides one alert, writing any counter change to the store at once (one alert at a time).</summary>
    public async Task<AlertDecision> DecideAsync(NormalizedAlert alert, CancellationToken cancellationToken)
    {
        await _counterLock.WaitAsync(cancellationToken);
        try
        {
            var values = new AlertRuleValues(_store);
            var decision = await DecideAsync(alert, values, cancellationToken);
            foreach (var (key, value) in values.Written)
            {
                await _store.SetValueAsync(key, value, cancellationToken);
            }
            return decision;
        }
        finally
        {
            _counterLock.Release();
        }
    }

    /// <summary>
    /// Decides one alert of an intake batch: counters are read through <paramref name="values"/> and
    /// their changes left there, for the caller to commit with the batch (so a batch that is refused
    /// and tried again does not count a failure twice).
    /// </summary>
    public async Task<AlertDecision> DecideAsync(NormalizedAlert alert, AlertRuleValues values, CancellationToken cancellationToken)
    {
        var name = Canonical(alert.Name);
        if (_lagNames.Contains(name))
        {
            return ReplicationLag(alert);
        }
        if (_backupFailedNames.Contains(name))
        {
            return await BackupFailedAsync(alert, values, cancellationToken);
        }
        if (_backupSuccessNames.Contains(name))
        {
            ResetBackupCounter(alert, values);
            return new AlertDecision(AlertAction.Record, "P4", $"backup {BackupJob(alert)} succeeded; consecutive failure count reset", Rule: "backup_failure");
        }
        if (_backupLateNames.Contains(name))
        {
            return BackupLate(alert);
        }
        if (_regionDownNames.Contains(name))
        {
            return RegionDown(alert);
        }
        return alert.Status == AlertStatus.Resolved
            ? new AlertDecision(AlertAction.Resolve, SeverityFromLabels(alert), "resolved; no rule matched this alert")
            : new AlertDecision(AlertAction.Record, SeverityFromLabels(alert), $"no rule matches \"{alert.Name}\"; recorded");
    }

    private AlertDecision ReplicationLag(NormalizedAlert alert)
    {
        const string Rule = "replication_lag";
        var lag = _options.ReplicationLag;
        if (alert.Status == AlertStatus.Resolved)
        {
            return new AlertDecision(AlertAction.Resolve, lag.WarningSeverity, "replication lag back to normal", Rule: Rule);
        }
        if (alert.Value is not { } seconds)
        {
            // No measured value: trust the monitoring rule's own severity.
            return IsCritical(alert)
                ? new AlertDecision(AlertAction.PageOnCall, lag.CriticalSeverity, "replication lag alert marked critical (no value sent)", Rule: Rule)
                : new AlertDecision(AlertAction.NotifyTeam, lag.WarningSeverity, "replication lag alert (no value sent)", Rule: Rule);
        }
        var where = alert.Region is null ? "" : $" in {alert.Region}";
        if (seconds > lag.CriticalSeconds)
        {
            return new AlertDecision(AlertAction.PageOnCall, lag.CriticalSeverity, $"replication lag{where} is {Format(seconds)} s, over the critical threshold of {Format(lag.CriticalSeconds)} s", Rule: Rule);
        }
        if (seconds > lag.WarningSeconds)
        {
            return new AlertDecision(AlertAction.NotifyTeam, lag.WarningSeverity, $"replication lag{where} is {Format(seconds)} s, over the warning threshold of {Format(lag.WarningSeconds)} s", Rule: Rule);
        }
        return new AlertDecision(AlertAction.Record, "P4", $"replication lag{where} is {Format(seconds)} s, within the {Format(lag.WarningSeconds)} s threshold", Rule: Rule);
    }

    private async Task<AlertDecision> BackupFailedAsync(NormalizedAlert alert, AlertRuleValues values, CancellationToken cancellationToken)
    {
        const string Rule = "backup_failure";
        var backup = _options.BackupFailure;
        var job = BackupJob(alert);
        if (alert.Status == AlertStatus.Resolved)
        {
            ResetBackupCounter(alert, values);
            return new AlertDecision(AlertAction.Resolve, backup.Severity, $"backup {job} no longer failing; consecutive failure count reset", Rule: Rule);
        }

        int count;
        if (Label(alert, "consecutive_failures") is { } sent && int.TryParse(sent, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fromLabel) && fromLabel > 0)
        {
            count = fromLabel;
            values.Set(CounterPrefix + job, count.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            var current = await values.GetAsync(CounterPrefix + job, cancellationToken);
            count = (int.TryParse(current, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0) + 1;
            values.Set(CounterPrefix + job, count.ToString(CultureInfo.InvariantCulture));
        }

        return count >= backup.ConsecutiveFailures
            ? new AlertDecision(AlertAction.PageOnCall, backup.Severity, $"backup {job} failed {count} times in a row (threshold {backup.ConsecutiveFailures})", Rule: Rule)
            : new AlertDecision(AlertAction.Record, "P4", $"backup {job} failed {count} time(s) in a row; on-call is paged at {backup.ConsecutiveFailures}", Rule: Rule);
    }

    private AlertDecision BackupLate(NormalizedAlert alert)
    {
        const string Rule = "backup_delay";
        var late = _options.BackupLate;
        var job = BackupJob(alert);
        if (alert.Status == AlertStatus.Resolved)
        {
            return new AlertDecision(AlertAction.Resolve, late.Severity, $"backup {job} caught up", Rule: Rule);
        }
        var seconds = alert.Value ?? ParseNumber(Label(alert, "delay_seconds"));
        if (seconds is not { } delay)
        {
            return new AlertDecision(AlertAction.NotifyTeam, late.Severity, $"backup {job} is late (no delay value sent)", Rule: Rule);
        }
        var threshold = late.LateAfter.TotalSeconds;
        return delay > threshold
            ? new AlertDecision(AlertAction.NotifyTeam, late.Severity, $"backup {job} is {Duration(delay)} late, over the {Duration(threshold)} threshold", Rule: Rule)
            : new AlertDecision(AlertAction.Record, "P4", $"backup {job} is {Duration(delay)} late, within the {Duration(threshold)} threshold", Rule: Rule);
    }

    private AlertDecision RegionDown(NormalizedAlert alert)
    {
        const string Rule = "region_down";
        var down = _options.RegionDown;
        if (alert.Status == AlertStatus.Resolved)
        {
            return new AlertDecision(AlertAction.Resolve, down.Severity, $"region {alert.Region ?? "(unknown)"} health checks pass again", down.Runbook, Rule);
        }
        var reason = alert.Region is null
            ? "region health checks failed (the alert names no region: choose one on the failover card)"
            : $"region {alert.Region} health checks failed";
        return new AlertDecision(AlertAction.OpenIncidentAndProposeFailover, down.Severity, reason, down.Runbook, Rule);
    }

    private static void ResetBackupCounter(NormalizedAlert alert, AlertRuleValues values) => values.Set(CounterPrefix + BackupJob(alert), "0");

    /// <summary>The backup job an alert is about: job / backup_job label, else region, else "default".</summary>
    public static string BackupJob(NormalizedAlert alert) =>
        Label(alert, "backup_job") ?? Label(alert, "job") ?? alert.Region ?? "default";

    /// <summary>P-severity for alerts no rule claims: Azure Sev0..Sev4 or Prometheus critical/warning.</summary>
    private static string SeverityFromLabels(NormalizedAlert alert) => Label(alert, "severity")?.ToLowerInvariant() switch
    {
        "sev0" => "P1",
        "sev1" or "critical" => "P2",
        "sev2" or "warning" or "error" => "P3",
        _ => "P4",
    };

    private static bool IsCritical(NormalizedAlert alert) => SeverityFromLabels(alert) is "P1" or "P2";

    private static string? Label(NormalizedAlert alert, string key) =>
        alert.Labels.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static double? ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

    private static HashSet<string> Names(List<string> configured, params string[] defaults) =>
        new((configured.Count > 0 ? configured : [.. defaults]).Select(Canonical), StringComparer.Ordinal);

    /// <summary>Lower-case letters and digits only, so ReplicationLag, replication_lag and replication-lag match.</summary>
    internal static string Canonical(string name) =>
        string.Create(name.Count(char.IsLetterOrDigit), name, static (span, source) =>
        {
            var i = 0;
            foreach (var c in source)
            {
                if (char.IsLetterOrDigit(c))
                {
                    span[i++] = char.ToLowerInvariant(c);
                }
            }
        });

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Duration(double seconds) => seconds >= 3600 && seconds % 3600 == 0
        ? Format(seconds / 3600) + " h"
        : seconds >= 60 ? Format(Math.Round(seconds / 60, 1)) + " min" : Format(seconds) + " s";
}
