using DrBot.Bot.Incidents;
using DrBot.Bot.Integrations.Paging;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Schedulers;

/// <summary>
/// Fires the stored incident timers: a status post every interval per open incident, and the
/// escalation chain of the severity matrix until someone acknowledges. Each firing claims an
/// idempotency key first, so a timer that fires again after a crash posts nothing twice.
/// </summary>
public sealed class IncidentTimers(
    IIdempotencyStore store,
    IncidentService incidents,
    IncidentWorkflow workflow,
    CardPublisher publisher,
    Roster roster,
    IOptions<DrBotOptions> options,
    IncidentPager pager)
{
    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await store.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        var incident = await incidents.GetAsync(timer.Subject, cancellationToken);
        if (incident is null || !incident.IsOpen)
            return;
        switch (timer.Kind)
        {
            case TimerKinds.StatusPost:
                await workflow.PostStatusNowAsync(incident, cancellationToken);
                await incidents.ScheduleNextStatusPostAsync(timer, cancellationToken);
                break;
            case TimerKinds.Escalation when incident.State == IncidentState.Open:
                await EscalateAsync(incident, timer, cancellationToken);
                break;
        }
    }

    private async Task EscalateAsync(Incident incident, ScheduledTimer timer, CancellationToken cancellationToken)
    {
        var severity = options.Value.Severities[incident.Severity];
        var delay = IncidentSchedule.EscalationDelay(severity);
        if (timer.Payload == EscalationSteps.ResponseBreached)
        {
            var team = severity.Team.SelectMany(roster.WithRole).Distinct().ToList();
            await publisher.PostAsync($"escalation:{incident.Id}:response", IncidentCards.Escalation(incident,
                $"Response time of {Durations.Format(severity.ResponseTime ?? TimeSpan.Zero)} passed without acknowledgement. Escalating to {severity.EscalationTarget} at {Durations.Format(delay)}.", team),
                cancellationToken, IncidentCards.PostKey(incident.Id));
            await incidents.AddTimelineAsync(incident.Id, "escalation", "Response time passed without acknowledgement", Actor.System("escalation"), cancellationToken);
            await incidents.ScheduleNextEscalationAsync(incident, timer, cancellationToken);
            return;
        }

        var level = EscalationSteps.ParseLevel(timer.Payload) ?? 1;
        var targets = roster.WithRole(severity.EscalationTarget!);
        var elapsed = Durations.Format(timer.DueAt - incident.OpenedAt);
        await publisher.PostAsync($"escalation:{incident.Id}:{level}", IncidentCards.Escalation(incident,
            $"{incident.Id} ({incident.Severity}) is unacknowledged after {elapsed}: escalating to {severity.EscalationTarget} (level {level}).", targets),
            cancellationToken, IncidentCards.PostKey(incident.Id));
        await incidents.AddTimelineAsync(incident.Id, "escalation", $"Escalated to {severity.EscalationTarget} (level {level})", Actor.System("escalation"), cancellationToken);
        // Only the first level pages the target's service; later levels repeat the mention in chat.
        if (level == 1)
            await pager.EscalatedAsync(incident, severity.EscalationTarget!, level, cancellationToken);
        await incidents.ScheduleNextEscalationAsync(incident, timer, cancellationToken);
    }
}
