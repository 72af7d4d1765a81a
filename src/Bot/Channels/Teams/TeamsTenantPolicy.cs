using DrBot.Runbooks.People;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams;

/// <summary>
/// Which authenticated activities speak for this organisation. A valid Bot Framework token proves
/// only that the Bot Framework sent the activity, not from which tenant or channel: any tenant can
/// install the bot, and Web Chat or Direct Line clients can put any <c>aadObjectId</c> in
/// <c>from</c>. So the roster is consulted only for Teams (<c>msteams</c>) activities of the
/// configured tenant, and only installs there (and in the configured team, when one is set) are remembered.
/// </summary>
public sealed class TeamsTenantPolicy(IOptions<TeamsOptions> options)
{
    public const string TeamsChannelId = "msteams";

    public static string? TenantOf(Activity activity) => activity.ChannelData?.Tenant?.Id ?? activity.Conversation?.TenantId;

    public bool IsOwnTenant(Activity activity) =>
        options.Value.TenantId is { Length: > 0 } configured
        && string.Equals(TenantOf(activity), configured, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the activity comes from Teams in this organisation's tenant.</summary>
    public bool IsOwnTeamsActivity(Activity activity) =>
        string.Equals(activity.ChannelId, TeamsChannelId, StringComparison.Ordinal) && IsOwnTenant(activity);

    /// <summary>The roster person behind the activity, or null (an unknown person, who may read but not act).</summary>
    public Person? RosterPerson(Activity activity, Roster roster) =>
        IsOwnTeamsActivity(activity) ? roster.ByTeamsId(activity.From?.AadObjectId) : null;

    /// <summary>Why an install is not remembered, or null when it is this organisation's.</summary>
    public string? InstallRefusal(Activity activity)
    {
        var configured = options.Value;
        if (string.IsNullOrWhiteSpace(configured.TenantId))
            return "DrBot:Teams:TenantId is not set, so no install is trusted.";
        if (!string.Equals(activity.ChannelId, TeamsChannelId, StringComparison.Ordinal))
            return $"installs are accepted from Teams only, not from channel '{activity.ChannelId}'.";
        if (!IsOwnTenant(activity))
            return $"tenant '{TenantOf(activity)}' is not this bot's tenant.";
        var team = activity.ChannelData?.Team?.Id;
        if (!string.IsNullOrWhiteSpace(configured.TeamId) && !string.Equals(team, configured.TeamId, StringComparison.Ordinal))
            return $"team '{team}' is not the configured team (DrBot:Teams:TeamId).";
        return null;
    }
}
