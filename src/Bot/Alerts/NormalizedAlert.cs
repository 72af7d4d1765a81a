namespace DrBot.Bot.Alerts;

public enum AlertStatus { Firing, Resolved }

/// <summary>
/// One alert from any monitoring source, in the bot's own form. <see cref="DedupKey"/> identifies
/// the alert occurrence (Alertmanager fingerprint + startsAt, Azure alertId, generic id): the same
/// key delivered again is a re-delivery. <see cref="GroupKey"/> groups alerts that share one card.
/// </summary>
public sealed record NormalizedAlert(
    string Source,
    string DedupKey,
    string GroupKey,
    string Name,
    AlertStatus Status,
    string? Region,
    double? Value,
    string Summary,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt);

/// <summary>What the bot does with an alert, decided by <see cref="Rules.AlertRules"/>.</summary>
public enum AlertAction
{
    /// <summary>Page the on-call engineer (critical).</summary>
    PageOnCall,
    /// <summary>Tell the team in the incident channel (warning).</summary>
    NotifyTeam,
    /// <summary>Open an incident and post the region failover runbook with a Start button.</summary>
    OpenIncidentAndProposeFailover,
    /// <summary>No rule asks for anything: keep it on record (and on its group's card).</summary>
    Record,
    /// <summary>The alert is resolved: update its card.</summary>
    Resolve,
}

/// <summary>
/// The rule outcome. <paramref name="Severity"/> is the incident severity (P1..P4) to use if the
/// action opens or escalates an incident. <paramref name="Runbook"/> names the runbook to propose
/// (region failover) or is null. <paramref name="Rule"/> names the rule that matched (null: none).
/// </summary>
public sealed record AlertDecision(AlertAction Action, string Severity, string Reason, string? Runbook = null, string? Rule = null);

/// <summary>Accepted (not duplicate) alerts of one group, each with its decision, in delivery order.</summary>
public sealed record AlertBatch(string GroupKey, IReadOnlyList<(NormalizedAlert Alert, AlertDecision Decision)> Items);

/// <summary>
/// What an accepted alert does in the bot (open incidents, page, update one card per group).
/// Implemented by the bot host. Called once per group per request, after deduplication, so a
/// re-delivered alert never reaches it twice. An exception makes the webhook answer 500, which
/// Alertmanager retries; the retry is then a duplicate, so implementations should store what they
/// need before doing slow work.
/// </summary>
public interface IAlertSink
{
    Task HandleAsync(AlertBatch batch, CancellationToken ct);
}
