using DrBot.Bot.Channels;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Incidents;

/// <summary>
/// Where an incident's war room and ticket are, recorded on the incident (its timeline says so) and
/// shown on its card. Resolved on first use: the workflow publishes through the channel adapters and
/// integrations that call this.
/// </summary>
public sealed class IncidentCardLinks(IServiceProvider services) : IWarRoomRecorder
{
    public async Task RecordAsync(string incidentId, string warRoom, CancellationToken cancellationToken) =>
        await RepublishAsync(await Incidents.SetWarRoomAsync(incidentId, warRoom, Actor.System("war room"), cancellationToken), cancellationToken);

    public async Task TicketCreatedAsync(string incidentId, string ticket, CancellationToken cancellationToken) =>
        await RepublishAsync(await Incidents.SetTicketAsync(incidentId, ticket, Actor.System("tickets"), cancellationToken), cancellationToken);

    private IncidentService Incidents => services.GetRequiredService<IncidentService>();

    private async Task RepublishAsync(IncidentResult result, CancellationToken cancellationToken)
    {
        if (result.Ok && result.Incident is { } incident)
            await services.GetRequiredService<IncidentWorkflow>().LinksRecordedAsync(incident, cancellationToken);
    }
}
