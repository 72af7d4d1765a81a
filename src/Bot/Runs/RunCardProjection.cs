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
    Runbooks.Freeze.RunFreeze freeze,
    DrBot.Runbooks.Preflight.PreflightRecorder? preflight = null) : IRunProjection
{
    public async Task<IReadOnlyList<OutboxMessage>> ProjectAsync(RunRecord run, RunChange change, CancellationToken cancellationToken)
    {
        // A child run shows inside its parent's card (built with the child as it is being saved) and posts in its thread.
        var parent = run.ParentRunId is { } parentId ? await runs.GetAsync(parentId, cancellationToken) : null;
        var messages = parent is not null
            ? publisher.PublishMessages(RunbookCard.PostKey(parent.Id), await BuildCardAsync(parent, cancellationToken, run)).ToList()
            : publisher.PublishMessages(RunbookCard.PostKey(run.Id), await BuildCardAsync(run, cancellationToken)).ToList();
        var definition = catalog.Find(run.Runbook);
        switch (change.Kind)
        {
            case RunChangeKind.GateOpened when RunbookCard.PendingGate(run, definition) is { Kind: StepKind.Manual } task:
                // A manual task pages who may do it (its role; without one, on-call).
                var doers = roster.WithRole(task.Role ?? Roles.OnCall);
                var taskTitle = run.Step(task.Id)?.Title ?? task.Title;
                messages.AddRange(publisher.PostMessages($"gate:{run.Id}:{task.Id}", new CardDocument(
                    $"Manual task: {taskTitle}",
                    $"Manual task on {run.Id}: {taskTitle}",
                    CardTone.Warning,
                    Blocks: [new TextBlock($"{string.Join(" ", doers.Select(a => a.DisplayName))}: {run.Runbook} → {run.Region} ({run.Id}) waits for someone to do \"{taskTitle}\" and click Done on the runbook card.")],
                    Mentions: doers), ThreadKeyOf(parent ?? run)));
                break;
            case RunChangeKind.GateOpened when RunbookCard.PendingGate(run, definition) is { } gate:
                var approvers = roster.WithRole(gate.Role ?? Roles.Lead).Where(p => p.Name != run.StartedBy || gate.AllowSelfApproval).ToList();
                var gateTitle = run.Step(gate.Id)?.Title ?? gate.Title;
                messages.AddRange(publisher.PostMessages($"gate:{run.Id}:{gate.Id}", new CardDocument(
                    $"Approval needed: {gateTitle}",
                    $"Approval needed on {run.Id}: {gateTitle}",
                    CardTone.Warning,
                    Blocks: [new TextBlock($"{string.Join(" ", approvers.Select(a => a.DisplayName))}: {run.Runbook} → {run.Region} ({run.Id}) waits for a {gate.Role ?? Roles.Lead} decision on the runbook card.")],
                    Mentions: approvers), ThreadKeyOf(parent ?? run)));
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

    /// <param name="child">The child run as it is being saved (its projection builds the parent's card); otherwise read from the store.</param>
    public async Task<CardDocument> BuildCardAsync(RunRecord run, CancellationToken cancellationToken, RunRecord? child = null)
    {
        var decisions = await runs.DecisionsAsync(run.Id, cancellationToken);
        var card = RunbookCard.Build(run, catalog.Find(run.Runbook), decisions, roster, time.GetUtcNow());
        // The child run of the step the parent is at (or that just ended it) is shown inside the parent's card.
        if (child is null && run.Step(run.State)?.ChildRunId is { } childId)
            child = await runs.GetAsync(childId, cancellationToken);
        if (child is not null)
        {
            var childCard = RunbookCard.Build(child, catalog.Find(child.Runbook), await runs.DecisionsAsync(child.Id, cancellationToken), roster, time.GetUtcNow());
            card = ComposedRunCard.WithChild(card, childCard, child);
        }
        card = await Preflight.RunCardAdditions.AddAsync(card, run, preflight, time.GetUtcNow(), cancellationToken);
        // While a freeze holds, every card says so first (a finished run's card no longer changes).
        return !run.IsFinished && await freeze.CurrentAsync(cancellationToken) is { } frozen
            ? card with { Blocks = [new TextBlock($"**{frozen.Banner}**"), .. card.Body] }
            : card;
    }

    private static string? ThreadKeyOf(RunRecord run) => run.IncidentId is null ? null : IncidentCards.PostKey(run.IncidentId);
}
