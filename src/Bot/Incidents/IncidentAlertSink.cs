using System.Text.Json;
using DrBot.Bot.Alerts;
using DrBot.Bot.Cards;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Incidents;

/// <summary>
/// What an accepted alert does: its group's card is posted or updated in place; critical alerts
/// page on-call, warnings notify the team; a region-down alert opens (or joins) a P1 incident and
/// proposes the region failover with a Start button — the approval gate still applies.
/// </summary>
public sealed class IncidentAlertSink(
    IDrBotStore store,
    IncidentService incidents,
    IncidentWorkflow workflow,
    CardPublisher publisher,
    Roster roster,
    IOptions<DrBotOptions> options,
    TimeProvider time) : IAlertSink
{
    public async Task HandleAsync(AlertBatch batch, CancellationToken ct)
    {
        var lines = await LoadGroupAsync(batch.GroupKey, ct);
        string? incidentId = null;
        CardButton? proposal = null;
        foreach (var (alert, decision) in batch.Items)
        {
            lines.RemoveAll(l => l.Key == AlertKey(alert));
            lines.Add(new AlertLine(AlertKey(alert), alert.Name, alert.Status == AlertStatus.Firing ? "firing" : "resolved", alert.Region, alert.Value, alert.Summary, decision.Reason, alert.StartsAt));
            switch (decision.Action)
            {
                case AlertAction.PageOnCall:
                    await NoticeAsync(batch.GroupKey, alert, $"🔴 Paging on-call: {decision.Reason}", roster.WithRole(Roles.OnCall), ct);
                    break;
                case AlertAction.NotifyTeam:
                    await NoticeAsync(batch.GroupKey, alert, $"🟠 {decision.Reason}", [], ct);
                    break;
                case AlertAction.OpenIncidentAndProposeFailover:
                    incidentId = await OpenOrJoinIncidentAsync(alert, decision, ct);
                    proposal = ProposeFailover(alert, decision, incidentId);
                    break;
            }
        }
        await store.SetValueAsync(GroupStateKey(batch.GroupKey), JsonSerializer.Serialize(lines, CardPublisher.Json), ct);
        await publisher.PublishAsync(AlertCard.PostKey(batch.GroupKey), AlertCard.Build(batch.GroupKey, lines, incidentId, proposal), ct);
    }

    private async Task<string> OpenOrJoinIncidentAsync(NormalizedAlert alert, AlertDecision decision, CancellationToken ct)
    {
        var open = alert.Region is null ? null : await incidents.FindOpenForRegionAsync(alert.Region, ct);
        if (open is null)
        {
            var opened = await workflow.OpenAsync(new OpenIncidentRequest(decision.Severity, $"{alert.Name}: {alert.Region ?? "unknown region"}",
                Actor.System("alert intake"), alert.Region, FailureStartedAt: alert.StartsAt), ct);
            open = opened.Incident ?? throw new InvalidOperationException(opened.Message);
        }
        await incidents.LinkAlertAsync(open.Id, AlertKey(alert), Actor.System("alert intake"), ct);
        return open.Id;
    }

    private CardButton? ProposeFailover(NormalizedAlert alert, AlertDecision decision, string incidentId)
    {
        // Fail over to the standby: the secondary region, unless the secondary is the one that is down.
        var target = options.Value.Regions.FirstOrDefault(r => r.Value.Role == "secondary" && !string.Equals(r.Key, alert.Region, StringComparison.OrdinalIgnoreCase)).Key;
        if (target is null)
            return null;
        return new CardButton($"Start region failover to {target}", CardVerbs.StartRunbook, new Dictionary<string, string>
        {
            [CardVerbs.Runbook] = decision.Runbook ?? "region-failover",
            [CardVerbs.Region] = target,
            [CardVerbs.IncidentId] = incidentId,
        }, ButtonStyle.Positive, new ButtonConfirm("Start the region failover?", $"Pre-checks run first; a lead must approve before anything changes in production.", "Start", "Cancel"));
    }

    private async Task NoticeAsync(string groupKey, NormalizedAlert alert, string text, IReadOnlyList<Person> mentions, CancellationToken ct)
    {
        var names = mentions.Count == 0 ? "" : " " + string.Join(" ", mentions.Select(p => p.DisplayName));
        await publisher.PostAsync($"notice:{groupKey}:{AlertKey(alert)}:{time.GetUtcNow().UtcTicks}",
            new CardDocument(text, text + names, CardTone.Warning, Blocks: [new TextBlock(text + names)], Mentions: mentions), ct);
    }

    private async Task<List<AlertLine>> LoadGroupAsync(string groupKey, CancellationToken ct) =>
        await store.GetValueAsync(GroupStateKey(groupKey), ct) is { } json
            ? JsonSerializer.Deserialize<List<AlertLine>>(json, CardPublisher.Json) ?? []
            : [];

    private static string AlertKey(NormalizedAlert alert) => alert.DedupKey;

    private static string GroupStateKey(string groupKey) => $"alertgroup:{groupKey}";
}
