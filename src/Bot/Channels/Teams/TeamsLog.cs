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
}
