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

    /// <summary>
    /// The configured incident channel when <c>DrBot:Teams:ChannelId</c> is set (an install never
    /// replaces it; its serviceUrl is the configured one or the one last seen for it), else the
    /// remembered install, else null (nowhere to post yet).
    /// </summary>
    public async Task<TeamsChannelReference?> IncidentChannelAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetValueAsync(InstallKey, cancellationToken);
        var remembered = stored is null ? null : JsonSerializer.Deserialize<TeamsChannelReference>(stored, TeamsJson.Options);
        var configured = options.Value;
        if (string.IsNullOrWhiteSpace(configured.ChannelId))
        {
            return remembered;
        }

        var serviceUrl = NullIfEmpty(configured.ServiceUrl)
            ?? await store.GetValueAsync("teams:serviceurl:" + configured.ChannelId, cancellationToken)
            ?? remembered?.ServiceUrl;
        return serviceUrl is null
            ? null
            : new TeamsChannelReference(serviceUrl, configured.ChannelId, NullIfEmpty(configured.TeamId), NullIfEmpty(configured.TenantId) ?? remembered?.TenantId);
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
