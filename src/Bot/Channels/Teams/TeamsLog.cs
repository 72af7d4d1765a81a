using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Channels.Teams;

internal static partial class TeamsLog
{
    [LoggerMessage(EventId = HostLogEvents.TeamsRequestRefused, Level = LogLevel.Warning, Message = "Teams request refused with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = HostLogEvents.TeamsActivityRepeated, Level = LogLevel.Information, Message = "Teams activity {ActivityId} was already handled; ignoring the repeat delivery")]
    public static partial void Duplicate(ILogger logger, string activityId);

    [LoggerMessage(EventId = HostLogEvents.TeamsBotAdded, Level = LogLevel.Information, Message = "DrBot was added to team {TeamId}; posting proactively to channel {ChannelId}")]
    public static partial void Installed(ILogger logger, string? teamId, string channelId);

    [LoggerMessage(EventId = HostLogEvents.TeamsReplyFailed, Level = LogLevel.Warning, Message = "The reply to Teams activity {ActivityId} was not delivered at once: {Error}")]
    public static partial void ReplyFailed(ILogger logger, string activityId, string? error);

    [LoggerMessage(EventId = HostLogEvents.TeamsForeignInstallIgnored, Level = LogLevel.Warning, Message = "DrBot was added to channel {ChannelId} of team {TeamId}, tenant {TenantId}; not remembered: {Reason}")]
    public static partial void InstallRefused(ILogger logger, string channelId, string? teamId, string? tenantId, string reason);

    [LoggerMessage(EventId = HostLogEvents.TeamsConfiguredChannelKept, Level = LogLevel.Information, Message = "DrBot was added to channel {ChannelId}; the configured incident channel {ConfiguredChannelId} stays")]
    public static partial void InstallBesideConfigured(ILogger logger, string channelId, string configuredChannelId);

    [LoggerMessage(EventId = HostLogEvents.TeamsStoreUnavailable, Level = LogLevel.Error, Message = "The store is unavailable; the Teams activity was refused")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = HostLogEvents.TeamsSigningKeysUnavailable, Level = LogLevel.Error, Message = "The Bot Framework signing keys could not be loaded; inbound activities are refused")]
    public static partial void KeysUnavailable(ILogger logger, Exception exception);
}
