using DrBot.Runbooks.Timers;

namespace DrBot.Runbooks.Incidents;

public sealed partial class IncidentService
{
    /// <summary>An opened incident gets its status-post timer and, unless its severity never escalates, its escalation timer.</summary>
    private async Task ScheduleOpenedAsync(Incident incident, CancellationToken cancellationToken)
    {
        if (_timers is null)
        {
            return;
        }
        await _timers.ScheduleTimerAsync(IncidentSchedule.FirstStatusPost(incident, _options.StatusUpdates.Interval), cancellationToken);
        if (_options.Severities.TryGetValue(incident.Severity, out var severity) && IncidentSchedule.FirstEscalation(incident, severity) is { } first)
        {
            await _timers.ScheduleTimerAsync(first, cancellationToken);
        }
    }

    /// <summary>Acknowledged: escalation stops. Resolved or closed: status posts stop too.</summary>
    private async Task<IncidentResult> StopTimersAsync(IncidentResult result, bool statusPostsToo, CancellationToken cancellationToken)
    {
        if (!result.Ok || _timers is null || result.Incident is not { } incident)
        {
            return result;
        }
        await _timers.CancelTimerAsync(IncidentSchedule.EscalationTimerId(incident.Id), cancellationToken);
        if (statusPostsToo)
        {
            await _timers.CancelTimerAsync(IncidentSchedule.StatusTimerId(incident.Id), cancellationToken);
        }
        return result;
    }

    /// <summary>A status post fired: the next one is due one interval after it.</summary>
    public Task ScheduleNextStatusPostAsync(ScheduledTimer fired, CancellationToken cancellationToken) =>
        _timers?.ScheduleTimerAsync(IncidentSchedule.NextStatusPost(fired, _options.StatusUpdates.Interval), cancellationToken) ?? Task.CompletedTask;

    /// <summary>An escalation fired: the next level is scheduled, unless the chain is at its end.</summary>
    public async Task ScheduleNextEscalationAsync(Incident incident, ScheduledTimer fired, CancellationToken cancellationToken)
    {
        if (_timers is not null && _options.Severities.TryGetValue(incident.Severity, out var severity)
            && IncidentSchedule.NextEscalation(incident, severity, fired) is { } next)
        {
            await _timers.ScheduleTimerAsync(next, cancellationToken);
        }
    }
}
