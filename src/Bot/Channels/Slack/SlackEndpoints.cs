using System.Text;
using System.Text.Json.Nodes;
using DrBot.Runbooks.People;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// Slack's three inbound endpoints. Each verifies the signature over the raw body first, then
/// parses, hands the input to <see cref="SlackDispatcher"/> and acknowledges within Slack's 3 s.
/// </summary>
public static class SlackEndpoints
{
    public const string Channel = SlackChannelAdapter.ChannelName;
    private const string WorkingOnIt = "Working on it…";

    public static IEndpointRouteBuilder MapSlackEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var slack = endpoints.MapGroup("/api/slack");
        slack.MapPost("/commands", CommandAsync);
        slack.MapPost("/interactions", InteractionAsync);
        slack.MapPost("/events", EventAsync);
        return endpoints;
    }

    private static async Task<IResult> CommandAsync(HttpContext context, SlackServices slack, CancellationToken cancellationToken)
    {
        var (body, refusal) = await slack.Reader.ReadVerifiedAsync(context, cancellationToken);
        if (body is null)
        {
            return refusal!;
        }
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        if (Field(form, "ssl_check") == "1")
        {
            // Slack checking the certificate of the command URL: nothing to do.
            return TypedResults.Ok();
        }
        var userId = Field(form, "user_id");
        var channelId = Field(form, "channel_id");
        if (userId is null || channelId is null)
        {
            return Malformed(context, slack, "a slash command needs user_id and channel_id");
        }
        var text = SlackCommands.ToRouterText(Field(form, "command"), Field(form, "text"));
        if (text is null)
        {
            return Reply(ChatReply.PrivateText($"DrBot does not know {Field(form, "command") ?? "that command"}. {SlackCommands.Usage}"));
        }
        // trigger_id is unique per invocation; the signature is a fallback that is unique per body and time.
        var deliveryKey = "command:" + (Field(form, "trigger_id") ?? context.Request.Headers[SlackSignatureVerifier.SignatureHeader].ToString());
        var input = new ChatInput(Channel, channelId, null, slack.User(userId, Field(form, "user_name")), text, null, $"slack:{deliveryKey}");
        var target = new SlackReplyTarget(Field(form, "response_url"), channelId, userId, null);
        var outcome = await slack.Dispatcher.DispatchAsync(input, deliveryKey, target, slack.Options.Value.AcknowledgeBudget, cancellationToken);
        return outcome.Kind switch
        {
            // Slack shows a slash command's non-200 as a bare "dispatch_failed": the person gets words instead.
            SlackDispatchKind.Busy => BusyCommand(context, slack),
            SlackDispatchKind.Answered => Reply(outcome.Reply!),
            SlackDispatchKind.Deferred => Reply(ChatReply.PrivateText(WorkingOnIt)),
            _ => TypedResults.Ok(),
        };
    }

    private static async Task<IResult> InteractionAsync(HttpContext context, SlackServices slack, CancellationToken cancellationToken)
    {
        var (body, refusal) = await slack.Reader.ReadVerifiedAsync(context, cancellationToken);
        if (body is null)
        {
            return refusal!;
        }
        var payload = Field(QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)), "payload");
        if (payload is null)
        {
            return Malformed(context, slack, "an interaction needs a payload field");
        }
        if (SlackConfirmModal.ParseSubmission(payload) is { } confirmed)
        {
            return await ConfirmationAsync(confirmed, slack, cancellationToken);
        }
        var click = SlackInbound.ParseClick(payload);
        if (click is null)
        {
            // Not a DrBot button (or not a click at all): acknowledge so Slack shows no error.
            return TypedResults.Ok();
        }
        if (SlackConfirmModal.ViewsOpen(click) is { } modal)
        {
            // A destructive gate: nothing is decided by this click; the modal asks for the target's name first.
            var opened = await slack.WebApi.CallAsync("views.open", modal, cancellationToken);
            if (!opened.Ok)
            {
                _ = slack.Dispatcher.ReplyLaterAsync(ChatReply.Error($"DrBot could not open the confirmation dialog ({opened.Error}); nothing was approved. Click Approve again."),
                    new SlackReplyTarget(click.ResponseUrl, click.ChannelId, click.UserId, click.ThreadTs));
            }
            return TypedResults.Ok();
        }
        var deliveryKey = $"click:{click.ActionTs}:{click.UserId}";
        var input = new ChatInput(Channel, click.ChannelId, click.ThreadTs, slack.User(click.UserId, click.UserName), null, click.Action, $"slack:{deliveryKey}");
        var target = new SlackReplyTarget(click.ResponseUrl, click.ChannelId, click.UserId, click.ThreadTs);
        // Slack ignores the body of a block_actions acknowledgement and the answer goes to response_url
        // anyway, so a click is acknowledged as soon as it is claimed: twenty people clicking one gate
        // at once do not each wait for the run's lock.
        var outcome = await slack.Dispatcher.DispatchAsync(input, deliveryKey, target, TimeSpan.Zero, cancellationToken);
        return outcome.Kind == SlackDispatchKind.Busy ? Busy(context, slack) : TypedResults.Ok();
    }

    /// <summary>
    /// The confirmation modal submitted: the approval is decided like a click with what was typed. A refusal keeps
    /// the modal open with the reason under the input; otherwise the modal closes and the answer goes to the channel.
    /// </summary>
    private static async Task<IResult> ConfirmationAsync(SlackClick submission, SlackServices slack, CancellationToken cancellationToken)
    {
        var deliveryKey = $"submission:{submission.ActionTs}:{submission.UserId}";
        var input = new ChatInput(Channel, submission.ChannelId, submission.ThreadTs, slack.User(submission.UserId, submission.UserName), null, submission.Action, $"slack:{deliveryKey}");
        var target = new SlackReplyTarget(submission.ResponseUrl, submission.ChannelId, submission.UserId, submission.ThreadTs);
        var outcome = await slack.Dispatcher.DispatchAsync(input, deliveryKey, target, slack.Options.Value.AcknowledgeBudget, cancellationToken);
        if (outcome.Kind == SlackDispatchKind.Busy)
        {
            return TypedResults.Json(SlackConfirmModal.Errors(BusyText(slack)));
        }
        if (outcome is { Kind: SlackDispatchKind.Answered, Reply: { IsError: true } refused })
        {
            return TypedResults.Json(SlackConfirmModal.Errors(refused.Text));
        }
        if (outcome is { Kind: SlackDispatchKind.Answered, Reply: { } reply })
        {
            _ = slack.Dispatcher.ReplyLaterAsync(reply, target);
        }
        return TypedResults.Ok();
    }

    private static async Task<IResult> EventAsync(HttpContext context, SlackServices slack, CancellationToken cancellationToken)
    {
        var (body, refusal) = await slack.Reader.ReadVerifiedAsync(context, cancellationToken);
        if (body is null)
        {
            return refusal!;
        }
        var delivery = SlackInbound.ParseEvent(Encoding.UTF8.GetString(body));
        if (delivery is null)
        {
            return Malformed(context, slack, "an event must be a JSON object with a type");
        }
        if (delivery.Type == "url_verification")
        {
            return TypedResults.Json(new JsonObject { ["challenge"] = delivery.Challenge ?? "" });
        }
        if (delivery.Mention is { } mention && delivery.EventId is { } eventId)
        {
            var deliveryKey = $"event:{eventId}";
            var input = new ChatInput(Channel, mention.ChannelId, mention.ThreadTs, slack.User(mention.UserId, null), mention.Text, null, $"slack:{deliveryKey}");
            var target = new SlackReplyTarget(null, mention.ChannelId, mention.UserId, mention.ThreadTs);
            // Events are acknowledged at once (Slack retries after 3 s); the answer is posted to the channel.
            var outcome = await slack.Dispatcher.DispatchAsync(input, deliveryKey, target, TimeSpan.Zero, cancellationToken);
            if (outcome.Kind == SlackDispatchKind.Busy)
            {
                return Busy(context, slack); // Slack retries the event later; nothing of it was recorded
            }
            if (outcome is { Kind: SlackDispatchKind.Answered, Reply: { } reply })
            {
                _ = slack.Dispatcher.ReplyLaterAsync(reply, target);
            }
        }
        return TypedResults.Ok();
    }

    private static IResult Reply(ChatReply reply) => TypedResults.Json(SlackResponder.ResponseBody(reply));

    /// <summary>Seconds a refused sender is asked to wait before trying again.</summary>
    private const string BusyRetryAfter = "1";

    private static string BusyText(SlackServices slack) =>
        $"DrBot is handling {slack.Options.Value.MaxInFlight} Slack requests already (DrBot:Slack:MaxInFlight), so nothing was done or recorded; try again in a moment.";

    private static IResult Busy(HttpContext context, SlackServices slack)
    {
        context.Response.Headers.RetryAfter = BusyRetryAfter;
        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "DrBot is busy", detail: BusyText(slack));
    }

    private static IResult BusyCommand(HttpContext context, SlackServices slack)
    {
        context.Response.Headers.RetryAfter = BusyRetryAfter;
        return Reply(ChatReply.Error(BusyText(slack)));
    }

    private static IResult Malformed(HttpContext context, SlackServices slack, string problem)
    {
        SlackLog.Malformed(slack.Logger, context.Request.Path, problem);
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed Slack request", detail: problem);
    }

    private static string? Field(Dictionary<string, StringValues> form, string name) =>
        form.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values.ToString() : null;
}

/// <summary>What the Slack endpoints need, resolved together.</summary>
public sealed class SlackServices(
    SlackRequestReader reader,
    SlackDispatcher dispatcher,
    SlackWebApi webApi,
    Roster roster,
    IOptions<SlackOptions> options,
    ILogger<SlackServices> logger)
{
    public SlackRequestReader Reader => reader;
    public SlackDispatcher Dispatcher => dispatcher;
    public SlackWebApi WebApi => webApi;
    public IOptions<SlackOptions> Options => options;
    public ILogger Logger => logger;

    /// <summary>The sender, mapped to the roster by Slack user id; unknown people get a null Person (read-only).</summary>
    public ChatUser User(string userId, string? userName)
    {
        var person = roster.BySlackId(userId);
        return new ChatUser(userId, person?.DisplayName ?? userName ?? userId, person);
    }
}
