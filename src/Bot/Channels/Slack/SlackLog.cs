using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Channels.Slack;

/// <summary>Slack channel log lines with stable event ids. Tokens and secrets never appear here.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(4001, LogLevel.Warning, "Slack request to {Path} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string path, SlackSignatureCheck reason);

    [LoggerMessage(4002, LogLevel.Information, "Slack delivery {DeliveryKey} already handled; ignoring the repeat")]
    public static partial void DuplicateDelivery(ILogger logger, string deliveryKey);

    [LoggerMessage(4003, LogLevel.Information, "Slack {Kind} not answered within the acknowledgement budget; the reply follows later")]
    public static partial void Deferred(ILogger logger, string kind);

    [LoggerMessage(4004, LogLevel.Error, "Handling Slack input {DeliveryKey} failed")]
    public static partial void HandlerFailed(ILogger logger, string deliveryKey, Exception exception);

    [LoggerMessage(4005, LogLevel.Warning, "Slack Web API {Method} answered ok:false with {Error}")]
    public static partial void ApiError(ILogger logger, string method, string error);

    [LoggerMessage(4006, LogLevel.Warning, "Slack Web API {Method} failed transiently: {Reason}")]
    public static partial void ApiTransient(ILogger logger, string method, string reason);

    [LoggerMessage(4007, LogLevel.Warning, "Posting a late Slack reply failed: {Reason}")]
    public static partial void LateReplyFailed(ILogger logger, string reason);

    [LoggerMessage(4008, LogLevel.Warning, "Slack response_url host {Host} is not allowed; reply not sent")]
    public static partial void ResponseUrlRefused(ILogger logger, string host);

    [LoggerMessage(4009, LogLevel.Warning, "Slack request to {Path} was signed but malformed: {Problem}")]
    public static partial void Malformed(ILogger logger, string path, string problem);

    [LoggerMessage(4010, LogLevel.Error, "The store refused Slack delivery {DeliveryKey}")]
    public static partial void StoreUnavailable(ILogger logger, string deliveryKey, Exception exception);
}
