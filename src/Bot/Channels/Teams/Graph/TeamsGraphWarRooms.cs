using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Hosting;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams.Graph;

/// <summary>
/// A P1's war room as a Teams channel through Microsoft Graph v1.0: find the channel by name
/// (<c>GET /teams/{team}/channels?$filter=displayName eq '…'</c>) or create it
/// (<c>POST /teams/{team}/channels</c>, standard), add the responders to the team
/// (<c>POST /teams/{team}/members/add</c>), and get a meeting whose external id is the incident id
/// (<c>POST /users/{organizer}/onlineMeetings/createOrGet</c>). Each call is safe to repeat, and the
/// channel is saved the moment it exists, so a retry or a crash never makes a second one. A refused
/// permission is said once in the log and on the card; the war room then stays a thread.
/// </summary>
public sealed partial class TeamsGraphWarRooms(
    GraphClient graph,
    IIdempotencyStore store,
    IOptions<TeamsGraphOptions> options,
    TimeProvider time,
    ILogger<TeamsGraphWarRooms> logger)
{
    /// <summary>Transient Graph failures (429, 5xx, no answer) tolerated before the war room falls back to a thread.</summary>
    public const int MaxTransientTries = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, bool> _said = new();

    private TeamsGraphOptions Options => options.Value;
    private string Team => Uri.EscapeDataString(Options.TeamId);

    public static string RecordKey(string incidentId) => $"teams:war-room:{incidentId}";

    public async Task<TeamsWarRoomRecord?> LoadAsync(string incidentId, CancellationToken cancellationToken) =>
        await store.GetValueAsync(RecordKey(incidentId), cancellationToken) is { } json ? JsonSerializer.Deserialize<TeamsWarRoomRecord>(json, Json) : null;

    public Task SaveAsync(string incidentId, TeamsWarRoomRecord room, CancellationToken cancellationToken) =>
        store.SetValueAsync(RecordKey(incidentId), JsonSerializer.Serialize(room, Json), cancellationToken);

    public async Task<GraphWarRoomOutcome> PrepareAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken)
    {
        if (!Options.IsConfigured)
            return GraphWarRoomOutcome.Thread("no Teams channel: Microsoft Graph is not configured (set DrBot:Teams:Graph:TeamId)");
        var saved = await LoadAsync(incidentId, cancellationToken);
        if (saved?.ActivityId is not null)
            return GraphWarRoomOutcome.Channel(saved);

        var name = saved?.Name ?? TeamsChannelName.For(incidentId, title);
        var notes = new List<string>();
        if (saved is null)
        {
            var (channel, failure) = await FindOrCreateChannelAsync(name, title, notes, cancellationToken);
            if (channel is null)
                return await FailedAsync(incidentId, failure!, "Channel.Create", cancellationToken);
            saved = new TeamsWarRoomRecord((string)channel["id"]!, name, (string?)channel["webUrl"], null, []);
            await SaveAsync(incidentId, saved, cancellationToken);
        }

        await AddMembersAsync(members, notes, cancellationToken);
        var meeting = await MeetingAsync(incidentId, name, members, notes, cancellationToken);
        var room = saved with { MeetingUrl = meeting ?? saved.MeetingUrl, Notes = notes };
        await SaveAsync(incidentId, room, cancellationToken);
        return GraphWarRoomOutcome.Channel(room);
    }

    private async Task<(JsonNode? Channel, GraphAnswer? Failure)> FindOrCreateChannelAsync(string name, string title, List<string> notes, CancellationToken cancellationToken)
    {
        var found = await FindChannelAsync(name, notes, cancellationToken);
        if (found.Channel is not null || found.Failure is { Transient: true })
            return found;
        var created = await graph.SendAsync(HttpMethod.Post, $"teams/{Team}/channels", new JsonObject
        {
            ["displayName"] = name,
            ["description"] = $"DrBot war room: {title}",
            ["membershipType"] = "standard",
        }, cancellationToken);
        if (created.Ok && created.Body?["id"] is not null)
            return (created.Body, null);
        // Created by an earlier try whose answer was lost: Graph refuses the duplicate name, so look again.
        if (created.Status is 400 or 409 && (await FindChannelAsync(name, notes, cancellationToken)).Channel is { } existing)
            return (existing, null);
        return (null, created);
    }

    private async Task<(JsonNode? Channel, GraphAnswer? Failure)> FindChannelAsync(string name, List<string> notes, CancellationToken cancellationToken)
    {
        var filter = Uri.EscapeDataString($"displayName eq '{name.Replace("'", "''", StringComparison.Ordinal)}'");
        var listed = await graph.SendAsync(HttpMethod.Get, $"teams/{Team}/channels?$filter={filter}", null, cancellationToken);
        if (listed.Ok)
            return (listed.Body?["value"]?.AsArray().FirstOrDefault(c => string.Equals((string?)c?["displayName"], name, StringComparison.OrdinalIgnoreCase)), null);
        if (listed.Refused)
        {
            SayOnce("Channel.ReadBasic.All", listed.Error);
            AddOnce(notes, "DrBot cannot list channels (grant Channel.ReadBasic.All): it relies on its own record to avoid a second channel");
            return (null, null);
        }
        return (null, listed);
    }

    /// <summary>A standard channel is open to the whole team, so the responders are added to the team (already members stay as they are).</summary>
    private async Task AddMembersAsync(IReadOnlyList<Person> members, List<string> notes, CancellationToken cancellationToken)
    {
        var ids = members.Select(m => m.TeamsAadObjectId).OfType<string>().Distinct().ToList();
        if (ids.Count == 0)
            return;
        var values = new JsonArray(ids.Select(id => (JsonNode)new JsonObject
        {
            ["@odata.type"] = "microsoft.graph.aadUserConversationMember",
            ["roles"] = new JsonArray(),
            ["user@odata.bind"] = new Uri(Options.BaseUrl, $"users('{Uri.EscapeDataString(id)}')").ToString(),
        }).ToArray());
        var added = await graph.SendAsync(HttpMethod.Post, $"teams/{Team}/members/add", new JsonObject { ["values"] = values }, cancellationToken);
        if (added.Refused)
            SayOnce("TeamMember.ReadWrite.All", added.Error);
        if (!added.Ok)
        {
            notes.Add($"responders not added to the team ({Advice(added, "TeamMember.ReadWrite.All")}); they are mentioned below");
            return;
        }
        var failed = added.Body?["value"]?.AsArray().Where(r => r?["error"] is JsonObject).Select(r => (string?)r!["userId"]).ToList() ?? [];
        if (failed.Count > 0)
            notes.Add($"{failed.Count} of {ids.Count} responders could not be added to the team ({string.Join(", ", failed)})");
    }

    private async Task<string?> MeetingAsync(string incidentId, string name, IReadOnlyList<Person> members, List<string> notes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Options.MeetingOrganizerId))
            return null;
        var now = time.GetUtcNow();
        var attendees = new JsonArray(members.Select(m => m.TeamsAadObjectId).OfType<string>().Distinct()
            .Select(id => (JsonNode)new JsonObject { ["identity"] = new JsonObject { ["user"] = new JsonObject { ["id"] = id } } }).ToArray());
        var meeting = await graph.SendAsync(HttpMethod.Post, $"users/{Uri.EscapeDataString(Options.MeetingOrganizerId)}/onlineMeetings/createOrGet", new JsonObject
        {
            ["externalId"] = incidentId,
            ["subject"] = $"War room {name}",
            ["startDateTime"] = now.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["endDateTime"] = (now + Options.MeetingLength).UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            ["participants"] = new JsonObject { ["attendees"] = attendees },
        }, cancellationToken);
        if (meeting.Ok && (string?)meeting.Body?["joinWebUrl"] is { Length: > 0 } url)
            return url;
        if (meeting.Refused)
            SayOnce("OnlineMeetings.ReadWrite.All", meeting.Error);
        notes.Add($"no meeting link ({Advice(meeting, "OnlineMeetings.ReadWrite.All with an application access policy for the organizer")})");
        return null;
    }

    private async Task<GraphWarRoomOutcome> FailedAsync(string incidentId, GraphAnswer failure, string permission, CancellationToken cancellationToken)
    {
        if (failure.Transient)
        {
            var key = $"teams:war-room-tries:{incidentId}";
            var tries = int.Parse(await store.GetValueAsync(key, cancellationToken) ?? "0", CultureInfo.InvariantCulture) + 1;
            await store.SetValueAsync(key, tries.ToString(CultureInfo.InvariantCulture), cancellationToken);
            if (tries < MaxTransientTries)
                return GraphWarRoomOutcome.Retry($"Graph did not create the war-room channel yet: {failure.Error}");
            LogGraphDown(tries, failure.Error);
            return GraphWarRoomOutcome.Thread($"no Teams channel: Graph failed {tries} times ({failure.Error})");
        }
        if (failure.Refused)
            SayOnce(permission, failure.Error);
        return GraphWarRoomOutcome.Thread($"no Teams channel: {Advice(failure, permission)}");
    }

    private static string Advice(GraphAnswer answer, string permission) => answer.Refused
        ? $"Graph refused: {answer.Error}; grant the application permission {permission} and admin-consent it"
        : answer.Error;

    private static void AddOnce(List<string> notes, string note)
    {
        if (!notes.Contains(note))
            notes.Add(note);
    }

    private void SayOnce(string permission, string error)
    {
        if (_said.TryAdd(permission, true))
            LogPermissionMissing(permission, error);
    }

    [LoggerMessage(EventId = HostLogEvents.TeamsGraphPermissionMissing, Level = LogLevel.Warning,
        Message = "Microsoft Graph refused a war-room call; grant the application permission {Permission} (and admin consent) for Teams war-room channels: {Error}")]
    private partial void LogPermissionMissing(string permission, string error);

    [LoggerMessage(EventId = HostLogEvents.TeamsGraphUnavailable, Level = LogLevel.Warning,
        Message = "Microsoft Graph failed {Tries} times; the war room is a thread in the incident channel: {Error}")]
    private partial void LogGraphDown(int tries, string error);
}
