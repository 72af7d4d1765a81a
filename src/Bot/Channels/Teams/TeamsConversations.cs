using System.Text.Json;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams;

/// <summary>Where the bot was installed: enough to post into the incident channel unprompted.</summary>
public sealed record TeamsChannelReference(string ServiceUrl, string ChannelId, string? TeamId, string? TenantId);

/// <summary>
/// What the Teams channel remembers in the store's key/value area: the installed channel (from the
/// install event, else configuration), each conversation's serviceUrl, and which conversation a
/// posted activity lives in (so an update needs only the activity id the outbox kept).
/// </summary>
public sealed class TeamsConversations(IIdempotencyStore store, IOptions<TeamsOptions> options)
{
    private const string InstallKey = "teams:install";

    public async Task RememberInstallAsync(TeamsChannelReference reference, CancellationToken cancellationToken) =>
        await store.SetValueAsync(InstallKey, JsonSerializer.Serialize(reference, TeamsJson.Options), cancellationToken);

    /// <summary>The remembered incident channel, else the configured one, else null (nowhere to post yet).</summary>
    public async Task<TeamsChannelReference?> IncidentChannelAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetValueAsync(InstallKey, cancellationToken);
        if (stored is not null && JsonSerializer.Deserialize<TeamsChannelReference>(stored, TeamsJson.Options) is { } remembered)
        {
            return remembered;
        }

        var configured = options.Value;
        return string.IsNullOrWhiteSpace(configured.ServiceUrl) || string.IsNullOrWhiteSpace(configured.ChannelId)
            ? null
            : new TeamsChannelReference(configured.ServiceUrl, configured.ChannelId, null, NullIfEmpty(configured.TenantId));
    }

    public Task RememberServiceUrlAsync(string conversationId, string serviceUrl, CancellationToken cancellationToken) =>
        store.SetValueAsync("teams:serviceurl:" + conversationId, serviceUrl, cancellationToken);

    /// <summary>The serviceUrl a conversation was last seen with, else the incident channel's.</summary>
    public async Task<string?> ServiceUrlForAsync(string conversationId, CancellationToken cancellationToken) =>
        await store.GetValueAsync("teams:serviceurl:" + conversationId, cancellationToken)
        ?? (await IncidentChannelAsync(cancellationToken))?.ServiceUrl;

    public Task RememberActivityAsync(string activityId, string conversationId, CancellationToken cancellationToken) =>
        store.SetValueAsync("teams:activity:" + activityId, conversationId, cancellationToken);

    public Task<string?> ConversationOfActivityAsync(string activityId, CancellationToken cancellationToken) =>
        store.GetValueAsync("teams:activity:" + activityId, cancellationToken);

    /// <summary>Teams' own user id (<c>29:…</c>, the MRI a card's <c>refresh.userIds</c> wants) for an Entra object id.</summary>
    public Task RememberUserAsync(string aadObjectId, string teamsUserId, CancellationToken cancellationToken) =>
        store.SetValueAsync("teams:user:" + aadObjectId.ToLowerInvariant(), teamsUserId, cancellationToken);

    public Task<string?> TeamsUserIdAsync(string aadObjectId, CancellationToken cancellationToken) =>
        store.GetValueAsync("teams:user:" + aadObjectId.ToLowerInvariant(), cancellationToken);

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
