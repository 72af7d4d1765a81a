using DrBot.Bot.Channels;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Incidents;

/// <summary>
/// Records the war room on the incident (its timeline says where it is) and shows it on the incident
/// card. Resolved on first use: the workflow publishes through the channel adapters that call this.
/// </summary>
public sealed class IncidentWarRoomRecorder(IServiceProvider services) : IWarRoomRecorder
{
    public async Task RecordAsync(string incidentId, string warRoom, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<IncidentService>().SetWarRoomAsync(incidentId, warRoom, Actor.System("war room"), cancellationToken);
        if (result.Ok && result.Incident is { } incident)
            await services.GetRequiredService<IncidentWorkflow>().WarRoomRecordedAsync(incident, cancellationToken);
    }
}
