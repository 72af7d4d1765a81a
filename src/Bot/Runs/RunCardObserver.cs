using DrBot.Bot.Cards;
using DrBot.Bot.Incidents;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Runs;

/// <summary>
/// Keeps the runbook card in step with the run: every saved change replaces the card in place on
/// every channel; a gate that opens pages its approvers; an expired gate escalates; a finished
/// failover records the measured RTO/RPO on the incident and posts the summary.
/// </summary>
public sealed class RunCardObserver(
    IDrBotStore store,
    RunbookCatalog catalog,
    Roster roster,
    CardPublisher publisher,
    IncidentWorkflow incidents,
    TimeProvider time) : IRunObserver
{
    public async Task OnRunChangedAsync(RunRecord run, RunChange change, CancellationToken cancellationToken)
    {
        await publisher.PublishAsync(RunbookCard.PostKey(run.Id), await BuildCardAsync(run, cancellationToken), cancellationToken);

        var definition = catalog.Find(run.Runbook);
        switch (change.Kind)
        {
            case RunChangeKind.GateOpened when RunbookCard.PendingGate(run, definition) is { } gate:
                var approvers = roster.WithRole(gate.Role ?? Roles.Lead).Where(p => p.Name != run.StartedBy || gate.AllowSelfApproval).ToList();
                var gateTitle = run.Step(gate.Id)?.Title ?? gate.Title;
                await publisher.PostAsync($"gate:{run.Id}:{gate.Id}", new CardDocument(
                    $"Approval needed: {gateTitle}",
                    $"Approval needed on {run.Id}: {gateTitle}",
                    CardTone.Warning,
                    Blocks: [new TextBlock($"{string.Join(" ", approvers.Select(a => a.DisplayName))}: {run.Runbook} → {run.Region} ({run.Id}) waits for a {gate.Role} decision on the runbook card.")],
                    Mentions: approvers), cancellationToken, ThreadKeyOf(run));
                break;
            case RunChangeKind.GateExpired when run.IncidentId is not null:
                await incidents.EscalateGateExpiryAsync(run, cancellationToken);
                break;
            case RunChangeKind.Finished when run.IncidentId is not null:
                await incidents.RunFinishedAsync(run, cancellationToken);
                break;
        }
    }

    public async Task<CardDocument> BuildCardAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var decisions = await store.GetDecisionsAsync(run.Id, cancellationToken);
        return RunbookCard.Build(run, catalog.Find(run.Runbook), decisions, roster, time.GetUtcNow());
    }

    private static string? ThreadKeyOf(RunRecord run) => run.IncidentId is null ? null : IncidentCards.PostKey(run.IncidentId);
}
