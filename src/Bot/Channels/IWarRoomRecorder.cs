namespace DrBot.Bot.Channels;

/// <summary>Where a platform opened an incident's war room, recorded on the incident and shown on its card.</summary>
public interface IWarRoomRecorder
{
    Task RecordAsync(string incidentId, string warRoom, CancellationToken cancellationToken);
}
