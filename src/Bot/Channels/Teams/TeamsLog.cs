using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Channels.Teams;

internal static partial class TeamsLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Teams request refused with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, int statusCode, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Teams activity {ActivityId} was already handled; ignoring the repeat delivery")]
    public static partial void Duplicate(ILogger logger, string activityId);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "DrBot was added to team {TeamId}; posting proactively to channel {ChannelId}")]
    public static partial void Installed(ILogger logger, string? teamId, string channelId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "The reply to Teams activity {ActivityId} was not delivered at once: {Error}")]
    public static partial void ReplyFailed(ILogger logger, string activityId, string? error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "DrBot was added to channel {ChannelId} of team {TeamId}, tenant {TenantId}; not remembered: {Reason}")]
    public static partial void InstallRefused(ILogger logger, string channelId, string? teamId, string? tenantId, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "DrBot was added to channel {ChannelId}; the configured incident channel {ConfiguredChannelId} stays")]
    public static partial void InstallBesideConfigured(ILogger logger, string channelId, string configuredChannelId);
}
