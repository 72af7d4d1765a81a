using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Channels.Slack;

/// <summary>Slack channel log lines with stable event ids. Tokens and secrets never appear here.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(HostLogEvents.SlackRequestRefused, LogLevel.Warning, "Slack request to {Path} refused: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string path, SlackSignatureCheck reason);

    [LoggerMessage(HostLogEvents.SlackDeliveryRepeated, LogLevel.Information, "Slack delivery {DeliveryKey} already handled; ignoring the repeat")]
    public static partial void DuplicateDelivery(ILogger logger, string deliveryKey);

    [LoggerMessage(HostLogEvents.SlackReplyDeferred, LogLevel.Information, "Slack {Kind} not answered within the acknowledgement budget; the reply follows later")]
    public static partial void Deferred(ILogger logger, string kind);

    [LoggerMessage(HostLogEvents.SlackInputFailed, LogLevel.Error, "Handling Slack input {DeliveryKey} failed")]
    public static partial void HandlerFailed(ILogger logger, string deliveryKey, Exception exception);

    [LoggerMessage(HostLogEvents.SlackApiNotOk, LogLevel.Warning, "Slack Web API {Method} answered ok:false with {Error}")]
    public static partial void ApiError(ILogger logger, string method, string error);

    [LoggerMessage(HostLogEvents.SlackApiTransient, LogLevel.Warning, "Slack Web API {Method} failed transiently: {Reason}")]
    public static partial void ApiTransient(ILogger logger, string method, string reason);

    [LoggerMessage(HostLogEvents.SlackLateReplyFailed, LogLevel.Warning, "Posting a late Slack reply failed: {Reason}")]
    public static partial void LateReplyFailed(ILogger logger, string reason);

    [LoggerMessage(HostLogEvents.SlackResponseUrlRefused, LogLevel.Warning, "Slack response_url host {Host} is not allowed; reply not sent")]
    public static partial void ResponseUrlRefused(ILogger logger, string host);

    [LoggerMessage(HostLogEvents.SlackRequestMalformed, LogLevel.Warning, "Slack request to {Path} was signed but malformed: {Problem}")]
    public static partial void Malformed(ILogger logger, string path, string problem);

    [LoggerMessage(HostLogEvents.SlackDeliveryRefusedBusy, LogLevel.Warning, "Slack delivery {DeliveryKey} refused unrecorded: {MaxInFlight} deliveries are being handled already (DrBot:Slack:MaxInFlight)")]
    public static partial void Busy(ILogger logger, string deliveryKey, int maxInFlight);

    [LoggerMessage(HostLogEvents.SlackDeliveryNotStored, LogLevel.Error, "The store refused Slack delivery {DeliveryKey}")]
    public static partial void StoreUnavailable(ILogger logger, string deliveryKey, Exception exception);
}
