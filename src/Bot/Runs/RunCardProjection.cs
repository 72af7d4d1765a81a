using DrBot.Bot.Cards;
using DrBot.Bot.Incidents;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Runs;

/// <summary>
/// What a run's change shows in chat, as outbox messages the engine commits with the change: the
/// runbook card replaced in place on every channel; a gate that opens pages its approvers; an expired
/// gate escalates; a finished failover posts the incident summary (its RTO/RPO are recorded on the
/// incident by the engine before this runs). Reads only.
/// </summary>
public sealed class RunCardProjection(
    RunQueries runs,
    RunbookCatalog catalog,
    Roster roster,
    CardPublisher publisher,
    IncidentWorkflow incidents,
    TimeProvider time,
    DrBot.Runbooks.Preflight.PreflightRecorder? preflight = null) : IRunProjection
{
    public async Task<IReadOnlyList<OutboxMessage>> ProjectAsync(RunRecord run, RunChange change, CancellationToken cancellationToken)
    {
        var messages = publisher.PublishMessages(RunbookCard.PostKey(run.Id), await BuildCardAsync(run, cancellationToken)).ToList();
        var definition = catalog.Find(run.Runbook);
        switch (change.Kind)
        {
            case RunChangeKind.GateOpened when RunbookCard.PendingGate(run, definition) is { } gate:
                var approvers = roster.WithRole(gate.Role ?? Roles.Lead).Where(p => p.Name != run.StartedBy || gate.AllowSelfApproval).ToList();
                var gateTitle = run.Step(gate.Id)?.Title ?? gate.Title;
                messages.AddRange(publisher.PostMessages($"gate:{run.Id}:{gate.Id}", new CardDocument(
                    $"Approval needed: {gateTitle}",
                    $"Approval needed on {run.Id}: {gateTitle}",
                    CardTone.Warning,
                    Blocks: [new TextBlock($"{string.Join(" ", approvers.Select(a => a.DisplayName))}: {run.Runbook} → {run.Region} ({run.Id}) waits for a {gate.Role ?? Roles.Lead} decision on the runbook card.")],
                    Mentions: approvers), ThreadKeyOf(run)));
                break;
            case RunChangeKind.GateExpired when run.IncidentId is not null:
                messages.AddRange(await incidents.GateExpiryMessagesAsync(run, cancellationToken));
                break;
            case RunChangeKind.Finished when run.IncidentId is not null:
                messages.AddRange(await incidents.FailoverSummaryMessagesAsync(run, cancellationToken));
                break;
        }
        return messages;
    }

    public async Task<CardDocument> BuildCardAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var decisions = await runs.DecisionsAsync(run.Id, cancellationToken);
        var card = RunbookCard.Build(run, catalog.Find(run.Runbook), decisions, roster, time.GetUtcNow());
        return await Preflight.RunCardAdditions.AddAsync(card, run, preflight, time.GetUtcNow(), cancellationToken);
    }

    private static string? ThreadKeyOf(RunRecord run) => run.IncidentId is null ? null : IncidentCards.PostKey(run.IncidentId);
}
