using System.Globalization;
using DrBot.Bot.Cards;
using DrBot.Bot.Integrations.Email;
using DrBot.Bot.Integrations.Paging;
using DrBot.Bot.Outbox;
using DrBot.Bot.PostMortems;
using DrBot.Bot.Views;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Incidents;

/// <summary>
/// What the bot does around an incident's life: the header card, paging the severity's team, the
/// war room for a P1, the stored timers for status posts and escalation, and the closing summary.
/// The incident's own state lives in <see cref="IncidentService"/> (src/Runbooks).
/// </summary>
public sealed class IncidentWorkflow(
    IncidentService incidents,
    IDrBotStore store,
    CardPublisher publisher,
    Roster roster,
    IOptions<DrBotOptions> options,
    TimeProvider time,
    IncidentPager pager,
    PostMortemService postMortems,
    CustomerNotices notices,
    Integrations.Tickets.IncidentTickets tickets)
{
    private DrBotOptions Options => options.Value;

    public async Task<IncidentResult> OpenAsync(OpenIncidentRequest request, CancellationToken cancellationToken)
    {
        var result = await incidents.OpenAsync(request, cancellationToken);
        if (!result.Ok || result.Incident is not { } incident)
            return result;

        var severity = Options.Severities[incident.Severity];
        var team = severity.Team.SelectMany(roster.WithRole).Distinct().ToList();
        await publisher.PublishAsync(IncidentCards.PostKey(incident.Id), IncidentCards.Header(incident, team, Options), cancellationToken);
        if (severity.WarRoom)
            await publisher.OpenWarRoomAsync(incident.Id, $"{incident.Id} {incident.Title}", team, cancellationToken);

        await store.ScheduleTimerAsync(new ScheduledTimer(StatusTimerId(incident.Id), TimerKinds.StatusPost, incident.Id,
            incident.OpenedAt + Options.StatusUpdates.Interval), cancellationToken);
        if (FirstEscalation(incident, severity) is { } first)
            await store.ScheduleTimerAsync(first, cancellationToken);
        await pager.IncidentOpenedAsync(incident, cancellationToken);
        await notices.OpenedAsync(incident, cancellationToken);
        return result;
    }

    public async Task<IncidentResult> AcknowledgeAsync(string id, Actor who, CancellationToken cancellationToken)
    {
        var result = await incidents.AcknowledgeAsync(id, who, cancellationToken);
        if (result.Ok)
        {
            await store.CancelTimerAsync(EscalationTimerId(id), cancellationToken);
            await RepublishHeaderAsync(result.Incident!, cancellationToken);
            await pager.IncidentAcknowledgedAsync(result.Incident!, who.DisplayName, cancellationToken);
        }
        return result;
    }

    public async Task<IncidentResult> ResolveAsync(string id, Actor who, CancellationToken cancellationToken)
    {
        var result = await incidents.ResolveAsync(id, who, cancellationToken);
        if (result.Ok)
        {
            await store.CancelTimerAsync(EscalationTimerId(id), cancellationToken);
            await store.CancelTimerAsync(StatusTimerId(id), cancellationToken);
            await RepublishHeaderAsync(result.Incident!, cancellationToken);
            await pager.IncidentResolvedAsync(result.Incident!, who.DisplayName, cancellationToken);
            await notices.ResolvedAsync(result.Incident!, cancellationToken);
            await tickets.ResolveAsync(result.Incident!, who.DisplayName, cancellationToken);
        }
        return result;
    }

    public async Task<IncidentResult> CloseAsync(string id, Actor who, CancellationToken cancellationToken)
    {
        var result = await incidents.CloseAsync(id, who, cancellationToken);
        if (result.Ok && result.Incident is { } incident)
        {
            await store.CancelTimerAsync(EscalationTimerId(id), cancellationToken);
            await store.CancelTimerAsync(StatusTimerId(id), cancellationToken);
            await RepublishHeaderAsync(incident, cancellationToken);
            await publisher.PostAsync($"summary:{id}", IncidentCards.Summary(incident, Options), cancellationToken, IncidentCards.PostKey(id));
            await postMortems.IncidentClosedAsync(incident, cancellationToken);
        }
        return result;
    }

    public async Task PostStatusNowAsync(Incident incident, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>();
        foreach (var runId in incident.RunIds)
            if (await store.GetRunAsync(runId, cancellationToken) is { } run)
                runs.Add(run);
        var now = time.GetUtcNow();
        await publisher.PostAsync($"status:{incident.Id}:{now.ToUnixTimeSeconds()}",
            IncidentCards.StatusPost(incident, runs, Options, now, roster.ByName(incident.Commander)), cancellationToken, IncidentCards.PostKey(incident.Id));
    }

    /// <summary>A gate waited past its expiry: say so to the escalation target of the incident's severity.</summary>
    public async Task EscalateGateExpiryAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (await incidents.GetAsync(run.IncidentId!, cancellationToken) is not { } incident)
            return;
        var severity = Options.Severities.GetValueOrDefault(incident.Severity);
        var targets = roster.WithRole(severity?.EscalationTarget ?? Roles.Lead);
        await publisher.PostAsync($"gate-expired:{run.Id}", IncidentCards.Escalation(incident,
            $"The approval gate of {run.Runbook} → {run.Region} ({run.Id}) expired without a decision. Start the runbook again to re-request approval.", targets),
            cancellationToken, IncidentCards.PostKey(incident.Id));
    }

    /// <summary>A linked runbook ended: a successful failover records time to failover and RPO, then the summary is posted.</summary>
    public async Task RunFinishedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.Outcome != RunOutcome.Succeeded || run.Runbook is "failback")
            return;
        TimeSpan? rpo = run.Facts.TryGetValue("rpo_seconds", out var seconds) && double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? TimeSpan.FromSeconds(s)
            : null;
        var result = await incidents.RecordFailoverAsync(run.IncidentId!, run.EndedAt ?? time.GetUtcNow(), rpo, cancellationToken);
        if (result.Ok && result.Incident is { } incident)
            await publisher.PostAsync($"summary:{incident.Id}:{run.Id}", IncidentCards.Summary(incident, Options), cancellationToken, IncidentCards.PostKey(incident.Id));
    }

    public async Task RepublishHeaderAsync(Incident incident, CancellationToken cancellationToken) =>
        await publisher.PublishAsync(IncidentCards.PostKey(incident.Id), IncidentCards.Header(incident, [], Options), cancellationToken);

    public static string StatusTimerId(string incidentId) => $"status:{incidentId}";

    public static string EscalationTimerId(string incidentId) => $"escalation:{incidentId}";

    private static ScheduledTimer? FirstEscalation(Incident incident, SeverityOptions severity)
    {
        // A response time shorter than the escalation delay (P1: 15 vs 30 min) first reminds the team.
        if (severity.ResponseTime is { } response && (severity.EscalationDelay is null || response < severity.EscalationDelay) && severity.EscalationTarget is not null)
            return new ScheduledTimer(EscalationTimerId(incident.Id), TimerKinds.Escalation, incident.Id, incident.OpenedAt + response, EscalationSteps.ResponseBreached);
        var delay = severity.EscalationDelay ?? severity.ResponseTime;
        return severity.EscalationTarget is not null && delay is { } d
            ? new ScheduledTimer(EscalationTimerId(incident.Id), TimerKinds.Escalation, incident.Id, incident.OpenedAt + d, EscalationSteps.Level(1))
            : null;
    }
}

/// <summary>The payloads of an incident's escalation timer.</summary>
public static class EscalationSteps
{
    public const string ResponseBreached = "response-breached";
    public const int MaxLevel = 3;

    public static string Level(int level) => $"level:{level}";

    public static int? ParseLevel(string? payload) =>
        payload is not null && payload.StartsWith("level:", StringComparison.Ordinal) && int.TryParse(payload.AsSpan(6), out var n) ? n : null;
}
