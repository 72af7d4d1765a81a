using DrBot.Bot.Alerts;
using DrBot.Bot.Cards;
using DrBot.Bot.Integrations.Paging;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Outbox;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Incidents;

/// <summary>
/// What an accepted alert does: its group's card is posted or updated in place; critical alerts
/// page on-call, warnings notify the team; a region-down alert opens (or joins) a P1 incident and
/// proposes the region failover with a Start button — the approval gate still applies.
/// </summary>
public sealed class IncidentAlertSink(
    IncidentService incidents,
    IncidentWorkflow workflow,
    CardPublisher publisher,
    Roster roster,
    IOptions<DrBotOptions> options,
    TimeProvider time,
    IncidentPager pager) : IAlertSink
{
    public async Task HandleAsync(AlertBatch batch, AlertWrites writes, CancellationToken ct)
    {
        string? incidentId = null;
        CardButton? proposal = null;
        foreach (var (alert, decision) in batch.Items)
        {
            switch (decision.Action)
            {
                case AlertAction.PageOnCall:
                    writes.Add(Notice(batch.GroupKey, alert, $"🔴 Paging on-call: {decision.Reason}", roster.WithRole(Roles.OnCall)));
                    writes.Add(await pager.AlertMessagesAsync(batch.GroupKey, alert, decision, ct));
                    break;
                case AlertAction.Resolve:
                    // Resolves the page when this alert's group paged (nothing otherwise).
                    writes.Add(await pager.AlertMessagesAsync(batch.GroupKey, alert, decision, ct));
                    break;
                case AlertAction.NotifyTeam:
                    writes.Add(Notice(batch.GroupKey, alert, $"🟠 {decision.Reason}", []));
                    break;
                case AlertAction.OpenIncidentAndProposeFailover:
                    incidentId = await OpenOrJoinIncidentAsync(alert, decision, ct);
                    proposal = ProposeFailover(alert, decision, incidentId);
                    break;
            }
        }
        writes.Add(publisher.PublishMessages(AlertCard.PostKey(batch.GroupKey), AlertCard.Build(batch.GroupKey, batch.Lines, incidentId, proposal)));
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
        await incidents.LinkAlertAsync(open.Id, alert.DedupKey, Actor.System("alert intake"), ct);
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

    private IEnumerable<OutboxMessage> Notice(string groupKey, NormalizedAlert alert, string text, IReadOnlyList<Person> mentions)
    {
        var names = mentions.Count == 0 ? "" : " " + string.Join(" ", mentions.Select(p => p.DisplayName));
        return publisher.PostMessages($"notice:{groupKey}:{alert.DedupKey}:{time.GetUtcNow().UtcTicks}",
            new CardDocument(text, text + names, CardTone.Warning, Blocks: [new TextBlock(text + names)], Mentions: mentions));
    }
}
