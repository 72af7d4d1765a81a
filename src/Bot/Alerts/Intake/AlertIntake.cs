using System.Globalization;
using DrBot.Bot.Alerts.Parsing;
using DrBot.Bot.Alerts.Rules;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Alerts.Intake;

/// <summary>
/// Deduplicates parsed alerts, decides each one's action, and hands the new ones to the
/// <see cref="IAlertSink"/>, one batch per group. Each occurrence is claimed once per status in the
/// store (unique key), so Alertmanager's retries and repeat notifications change nothing, and a
/// resolved alert is new once. If the sink fails, the claimed alerts are marked unhandled so the
/// sender's retry (Alertmanager retries on 5xx) is let through once more instead of being lost.
/// </summary>
public sealed partial class AlertIntake(IDrBotStore store, AlertRules rules, IAlertSink sink, TimeProvider time, ILogger<AlertIntake> logger)
{
    private const string UnhandledPrefix = "alerts:unhandled:";

    public async Task<AlertIntakeSummary> AcceptAsync(IReadOnlyList<NormalizedAlert> alerts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = new string[alerts.Count];
        for (var i = 0; i < alerts.Count; i++)
        {
            keys[i] = ClaimKey(alerts[i]);
        }
        // One batch claim per request: the store commits once instead of once per alert.
        var claimed = await store.TryClaimIdempotencyKeysAsync(keys, now, cancellationToken);
        var accepted = new List<(NormalizedAlert Alert, string Key)>(alerts.Count);
        var duplicates = 0;
        for (var i = 0; i < alerts.Count; i++)
        {
            if (claimed[i] || await TryReclaimUnhandledAsync(keys[i], now, cancellationToken))
            {
                accepted.Add((alerts[i], keys[i]));
            }
            else
            {
                duplicates++;
            }
        }
        if (accepted.Count == 0)
        {
            LogDuplicatesOnly(logger, duplicates);
            return new AlertIntakeSummary(0, duplicates);
        }

        // One batch per group, groups and alerts in delivery order.
        foreach (var group in accepted.GroupBy(a => a.Alert.GroupKey, StringComparer.Ordinal))
        {
            var items = new List<(NormalizedAlert Alert, AlertDecision Decision)>();
            try
            {
                foreach (var (alert, _) in group)
                {
                    items.Add((alert, await rules.DecideAsync(alert, cancellationToken)));
                }
                await sink.HandleAsync(new AlertBatch(group.Key, items), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSinkFailed(logger, ex, group.Key, group.Count());
                foreach (var (_, key) in group)
                {
                    await MarkUnhandledAsync(key, cancellationToken);
                }
                throw;
            }
            if (logger.IsEnabled(LogLevel.Information))
            {
                LogBatch(logger, group.Key, items.Count, string.Join(", ", items.Select(i => $"{i.Alert.Name} {i.Alert.Status}: {i.Decision.Action}")));
            }
            foreach (var (alert, decision) in items)
            {
                LogAccepted(logger, alert.Source, alert.Name, alert.Status, decision.Action, decision.Reason);
            }
        }
        return new AlertIntakeSummary(accepted.Count, duplicates);
    }

    /// <summary>The store key of one alert occurrence in one status.</summary>
    public static string ClaimKey(NormalizedAlert alert) =>
        $"alert:{alert.Source}:{alert.DedupKey}:{(alert.Status == AlertStatus.Firing ? "firing" : "resolved")}";

    private async Task<bool> TryReclaimUnhandledAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempt = await store.GetValueAsync(UnhandledPrefix + key, cancellationToken);
        if (string.IsNullOrEmpty(attempt))
        {
            return false;
        }
        // Only one concurrent retry wins the reclaim of a given failed attempt.
        if (!await store.TryClaimIdempotencyKeyAsync($"{key}:retry:{attempt}", now, cancellationToken))
        {
            return false;
        }
        await store.SetValueAsync(UnhandledPrefix + key, "", cancellationToken);
        return true;
    }

    private async Task MarkUnhandledAsync(string key, CancellationToken cancellationToken)
    {
        // Runs after a failure, possibly of an aborted request: the mark must still be written.
        var token = cancellationToken.IsCancellationRequested ? CancellationToken.None : cancellationToken;
        try
        {
            // A fresh attempt number each time, so each failure lets exactly one retry through.
            var attempt = await store.NextSequenceAsync("alerts:unhandled", token);
            await store.SetValueAsync(UnhandledPrefix + key, attempt.ToString(CultureInfo.InvariantCulture), token);
        }
        catch (Exception ex)
        {
            // Keep the sink's exception as the one the caller sees.
            LogUnhandledNotMarked(logger, ex, key);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Alert group {GroupKey}: {Count} new ({Actions})")]
    private static partial void LogBatch(ILogger logger, string groupKey, int count, string actions);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Alert {Source}/{Name} {Status}: {Action} ({Reason})")]
    private static partial void LogAccepted(ILogger logger, string source, string name, AlertStatus status, AlertAction action, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Alert delivery had only duplicates ({Duplicates})")]
    private static partial void LogDuplicatesOnly(ILogger logger, int duplicates);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Alert handling failed for group {GroupKey} ({Count} alerts); the sender's retry will be accepted")]
    private static partial void LogSinkFailed(ILogger logger, Exception exception, string groupKey, int count);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Could not mark alert {Key} unhandled; its retry will count as a duplicate")]
    private static partial void LogUnhandledNotMarked(ILogger logger, Exception exception, string key);
}
