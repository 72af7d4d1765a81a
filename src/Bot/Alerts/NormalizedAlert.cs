using DrBot.Runbooks.Outbox;

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

/// <summary>
/// Accepted (not duplicate) alerts of one group, each with its decision, in delivery order, and the
/// group's <paramref name="Lines"/> on record with them applied (what its card shows).
/// </summary>
public sealed record AlertBatch(string GroupKey, IReadOnlyList<(NormalizedAlert Alert, AlertDecision Decision)> Items, IReadOnlyList<AlertLine> Lines);

/// <summary>The outbox messages (card posts and updates) of an intake batch, committed with its groups' records: all or nothing.</summary>
public sealed class AlertWrites
{
    private readonly List<OutboxMessage> _messages = [];

    public IReadOnlyList<OutboxMessage> Messages => _messages;

    public void Add(IEnumerable<OutboxMessage> messages) => _messages.AddRange(messages);
}

/// <summary>
/// What accepted alerts do in the bot (open incidents, page, one card per group). Implemented by the
/// bot host. Called once per group per intake batch, after deduplication, so a re-delivered alert
/// never reaches it twice. Posts go into <see cref="AlertWrites"/>, which the intake commits with the
/// group's record; an exception commits nothing for the batch and answers 500, so the sender's retry
/// is accepted. Work done directly (an incident opened) may be repeated by that retry, so it must be
/// idempotent (join the open incident rather than open a second).
/// </summary>
public interface IAlertSink
{
    Task HandleAsync(AlertBatch batch, AlertWrites writes, CancellationToken ct);
}
