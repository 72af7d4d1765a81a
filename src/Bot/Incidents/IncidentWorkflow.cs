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
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Outbox;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Incidents;

/// <summary>
/// What the bot shows around an incident's life: the header card, paging the severity's team, the
/// war room for a P1, status posts, escalation notices and the closing summary. The incident's state
/// and its timers live in <see cref="IncidentService"/> (src/Runbooks); this adds the chat side.
/// </summary>
public sealed class IncidentWorkflow(
    IncidentService incidents,
    RunQueries runs,
    CardPublisher publisher,
    Roster roster,
    IOptions<DrBotOptions> options,
    TimeProvider time,
    IncidentPager pager,
    PostMortemService postMortems,
    CustomerNotices notices,
    Integrations.Tickets.IncidentTickets tickets,
    Integrations.Statuspage.StatuspageSync statuspage)
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
        await pager.IncidentOpenedAsync(incident, cancellationToken);
        await notices.OpenedAsync(incident, cancellationToken);
        await statuspage.OpenedAsync(incident, cancellationToken);
        return result;
    }

    public async Task<IncidentResult> AcknowledgeAsync(string id, Actor who, CancellationToken cancellationToken)
    {
        var result = await RepublishHeaderIfDoneAsync(await incidents.AcknowledgeAsync(id, who, cancellationToken), cancellationToken);
        if (result.Ok)
            await pager.IncidentAcknowledgedAsync(result.Incident!, who.DisplayName, cancellationToken);
        return result;
    }

    public async Task<IncidentResult> ResolveAsync(string id, Actor who, CancellationToken cancellationToken)
    {
        var result = await RepublishHeaderIfDoneAsync(await incidents.ResolveAsync(id, who, cancellationToken), cancellationToken);
        if (result.Ok)
        {
            await pager.IncidentResolvedAsync(result.Incident!, who.DisplayName, cancellationToken);
            await notices.ResolvedAsync(result.Incident!, cancellationToken);
            await tickets.ResolveAsync(result.Incident!, who.DisplayName, cancellationToken);
            await statuspage.ResolvedAsync(result.Incident!, cancellationToken);
        }
        return result;
    }

    public async Task<IncidentResult> CloseAsync(string id, Actor who, CancellationToken cancellationToken)
    {
        var result = await RepublishHeaderIfDoneAsync(await incidents.CloseAsync(id, who, cancellationToken), cancellationToken);
        if (result.Ok && result.Incident is { } incident)
        {
            await publisher.PostAsync($"summary:{id}", IncidentCards.Summary(incident, Options), cancellationToken, IncidentCards.PostKey(id));
            await postMortems.IncidentClosedAsync(incident, cancellationToken);
        }
        return result;
    }

    public async Task PostStatusNowAsync(Incident incident, CancellationToken cancellationToken)
    {
        var linked = await runs.GetManyAsync(incident.RunIds, cancellationToken);
        var now = time.GetUtcNow();
        await publisher.PostAsync($"status:{incident.Id}:{now.ToUnixTimeSeconds()}",
            IncidentCards.StatusPost(incident, [.. linked], Options, now, roster.ByName(incident.Commander)), cancellationToken, IncidentCards.PostKey(incident.Id));
    }

    /// <summary>A gate waited past its expiry: the notice to the escalation target of the incident's severity.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> GateExpiryMessagesAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (await incidents.GetAsync(run.IncidentId!, cancellationToken) is not { } incident)
            return [];
        var severity = Options.Severities.GetValueOrDefault(incident.Severity);
        var targets = roster.WithRole(severity?.EscalationTarget ?? Roles.Lead);
        return [.. publisher.PostMessages($"gate-expired:{run.Id}", IncidentCards.Escalation(incident,
            $"The approval gate of {run.Runbook} → {run.Region} ({run.Id}) expired without a decision. Start the runbook again to re-request approval.", targets),
            IncidentCards.PostKey(incident.Id))];
    }

    /// <summary>A linked failover ended well: the incident summary with the time to failover and RPO the engine recorded.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> FailoverSummaryMessagesAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.Outcome != RunOutcome.Succeeded || run.Runbook is "failback"
            || await incidents.GetAsync(run.IncidentId!, cancellationToken) is not { FailoverCompletedAt: not null } incident)
            return [];
        return [.. publisher.PostMessages($"summary:{incident.Id}:{run.Id}", IncidentCards.Summary(incident, Options), IncidentCards.PostKey(incident.Id))];
    }

    public async Task RepublishHeaderAsync(Incident incident, CancellationToken cancellationToken) =>
        await publisher.PublishAsync(IncidentCards.PostKey(incident.Id), IncidentCards.Header(incident, [], Options), cancellationToken);

    /// <summary>The header with a war room or ticket added; while nobody has acknowledged it still pages the team.</summary>
    public async Task LinksRecordedAsync(Incident incident, CancellationToken cancellationToken)
    {
        var team = incident.State == IncidentState.Open && Options.Severities.TryGetValue(incident.Severity, out var severity)
            ? severity.Team.SelectMany(roster.WithRole).Distinct().ToList()
            : [];
        await publisher.PublishAsync(IncidentCards.PostKey(incident.Id), IncidentCards.Header(incident, team, Options), cancellationToken);
    }

    private async Task<IncidentResult> RepublishHeaderIfDoneAsync(IncidentResult result, CancellationToken cancellationToken)
    {
        if (result.Ok && result.Incident is { } incident)
            await RepublishHeaderAsync(incident, cancellationToken);
        return result;
    }
}
