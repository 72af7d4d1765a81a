using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels.Teams.Connector;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Channels.Teams;

/// <summary>
/// Handles one authenticated activity: messages and Action.Submit fallbacks go to the command
/// router and are answered in the thread; <c>adaptiveCard/action</c> invokes get the invoke
/// response; an install event remembers the channel for proactive posts. A repeated delivery of the
/// same activity id changes nothing. A reply the Connector cannot take right now goes through the
/// outbox when the host has one.
/// </summary>
public sealed class TeamsActivityProcessor(
    IChatInputHandler handler,
    Roster roster,
    IIdempotencyStore store,
    TeamsConversations conversations,
    TeamsMessages messages,
    ConnectorClient connector,
    TimeProvider time,
    ILogger<TeamsActivityProcessor> logger,
    CardPublisher? outbox = null)
{
    public const string InvokeName = "adaptiveCard/action";

    public async Task<IResult> ProcessAsync(Activity activity, CancellationToken cancellationToken)
    {
        if (activity.Conversation?.Id is { Length: > 0 } conversationId && activity.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            await conversations.RememberServiceUrlAsync(conversationId, serviceUrl, cancellationToken);
        }

        if (activity.From is { AadObjectId: { Length: > 0 } aadObjectId, Id: { Length: > 0 } teamsUserId })
        {
            await conversations.RememberUserAsync(aadObjectId, teamsUserId, cancellationToken);
        }

        return activity.Type switch
        {
            "message" => await MessageAsync(activity, cancellationToken),
            "invoke" when activity.Name == InvokeName => await InvokeAsync(activity, cancellationToken),
            "conversationUpdate" => await ConversationUpdateAsync(activity, cancellationToken),
            _ => Results.Ok(),
        };
    }

    private async Task<IResult> MessageAsync(Activity activity, CancellationToken cancellationToken)
    {
        var submitted = activity.Value is { ValueKind: JsonValueKind.Object } value && string.IsNullOrWhiteSpace(activity.Text) ? value : (JsonElement?)null;
        var text = submitted is null ? InboundText.CommandText(activity) : null;
        if (submitted is null && string.IsNullOrEmpty(text) || !await FirstDeliveryAsync(activity, cancellationToken))
        {
            return Results.Ok();
        }

        var action = submitted is { } data ? SubmitAction(data, activity.ReplyToId) : null;
        var reply = await handler.HandleAsync(Input(activity, text, action), cancellationToken);
        if (reply.Card is not null || !string.IsNullOrWhiteSpace(reply.Text))
        {
            var message = await messages.MessageAsync(reply.Card ?? CardDocument.Text(reply.Text), cancellationToken);
            var sent = await connector.ReplyAsync(activity.ServiceUrl!, activity.Conversation!.Id!, activity.Id!, message, cancellationToken);
            if (!sent.Succeeded)
            {
                TeamsLog.ReplyFailed(logger, activity.Id!, sent.Failure?.Error);
                // Throttled or down: the answer waits in the outbox (retried with backoff) instead of being lost.
                if (sent.Failure?.Status == DeliveryStatus.Retry && outbox is not null)
                {
                    await outbox.PostToConversationAsync(TeamsChannelAdapter.ChannelName, activity.Conversation.Id!, $"reply:{activity.Id}",
                        reply.Card ?? CardDocument.Text(reply.Text), cancellationToken);
                }
            }
        }

        return Results.Ok();
    }

    private async Task<IResult> InvokeAsync(Activity activity, CancellationToken cancellationToken)
    {
        if (activity.Value is not { ValueKind: JsonValueKind.Object } value
            || !value.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object
            || !action.TryGetProperty("verb", out var verbElement) || verbElement.GetString() is not { Length: > 0 } verb)
        {
            return InvokeError("BadRequest", "The invoke has no value.action.verb: DrBot cards send Action.Execute with a verb.");
        }

        if (!await FirstDeliveryAsync(activity, cancellationToken))
        {
            return InvokeMessage("This click was already handled.");
        }

        var data = action.TryGetProperty("data", out var dataElement) ? InboundText.Flatten(dataElement, "verb") : [];
        var reply = await handler.HandleAsync(Input(activity, null, new CardAction(verb, data, activity.ReplyToId)), cancellationToken);
        if (reply.IsError)
        {
            return InvokeError("Refused", reply.Text);
        }

        return reply.Card is not null
            ? Results.Json(new JsonObject
            {
                ["statusCode"] = 200,
                ["type"] = TeamsMessages.AdaptiveCardContentType,
                ["value"] = await messages.CardAsync(reply.Card, cancellationToken),
            })
            : InvokeMessage(reply.Text);
    }

    private async Task<IResult> ConversationUpdateAsync(Activity activity, CancellationToken cancellationToken)
    {
        var botId = activity.Recipient?.Id;
        var botAdded = botId is not null && (activity.MembersAdded ?? []).Any(m => m.Id == botId);
        var channelData = activity.ChannelData;
        var channelId = channelData?.Channel?.Id ?? channelData?.Team?.Id;
        if (botAdded && channelId is not null && activity.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            var tenant = channelData?.Tenant?.Id ?? activity.Conversation?.TenantId;
            await conversations.RememberInstallAsync(new TeamsChannelReference(serviceUrl, channelId, channelData?.Team?.Id, tenant), cancellationToken);
            await conversations.RememberServiceUrlAsync(channelId, serviceUrl, cancellationToken);
            TeamsLog.Installed(logger, channelData?.Team?.Id, channelId);
        }

        return Results.Ok();
    }

    private async Task<bool> FirstDeliveryAsync(Activity activity, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(activity.Id))
        {
            return true;
        }

        var first = await store.TryClaimIdempotencyKeyAsync("teams:" + activity.Id, time.GetUtcNow(), cancellationToken);
        if (!first)
        {
            TeamsLog.Duplicate(logger, activity.Id);
        }

        return first;
    }

    private ChatInput Input(Activity activity, string? text, CardAction? action)
    {
        var from = activity.From ?? new ChannelAccount();
        var user = new ChatUser(from.Id ?? "", from.Name ?? "someone", roster.ByTeamsId(from.AadObjectId));
        var conversation = activity.Conversation?.Id ?? "";
        var marker = conversation.IndexOf(";messageid=", StringComparison.Ordinal);
        var thread = marker < 0 ? null : conversation[(marker + ";messageid=".Length)..];
        return new ChatInput(TeamsChannelAdapter.ChannelName, conversation, thread, user, text, action, activity.Id);
    }

    /// <summary>Action.Submit (clients without Action.Execute): the verb travels in the data as <c>verb</c>.</summary>
    private static CardAction SubmitAction(JsonElement value, string? replyToId)
    {
        var verb = value.TryGetProperty("verb", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        return new CardAction(verb, InboundText.Flatten(value, "verb", "msteams"), replyToId);
    }

    private static IResult InvokeMessage(string text) => Results.Json(new JsonObject
    {
        ["statusCode"] = 200,
        ["type"] = "application/vnd.microsoft.activity.message",
        ["value"] = text,
    });

    private static IResult InvokeError(string code, string message) => Results.Json(new JsonObject
    {
        ["statusCode"] = 400,
        ["type"] = "application/vnd.microsoft.error",
        ["value"] = new JsonObject { ["code"] = code, ["message"] = message },
    });
}
