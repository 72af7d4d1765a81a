using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels.Teams.Connector;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Audit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
    TeamsTenantPolicy tenants,
    IOptions<TeamsOptions> options,
    CardPublisher? outbox = null,
    AuditLog? audit = null,
    AcknowledgeWithinBudget? acknowledge = null)
{
    public const string InvokeName = "adaptiveCard/action";

    /// <summary>Beginning of the key an activity claims (Bot Framework retries for minutes, so retention may drop it after days).</summary>
    public const string ActivityKeyPrefix = "teams:";

    public async Task<IResult> ProcessAsync(Activity activity, CancellationToken cancellationToken)
    {
        // Only this organisation's Teams activities may teach the bot where conversations live and who is who.
        var own = tenants.IsOwnTeamsActivity(activity);
        if (own && activity.Conversation?.Id is { Length: > 0 } conversationId && activity.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            await conversations.RememberServiceUrlAsync(conversationId, serviceUrl, cancellationToken);
            // A thread's conversation id carries ";messageid=…"; the channel itself is what proactive posts need.
            if (activity.ChannelData?.Channel?.Id is { Length: > 0 } channel && channel != conversationId)
            {
                await conversations.RememberServiceUrlAsync(channel, serviceUrl, cancellationToken);
            }
        }

        if (own && activity.From is { AadObjectId: { Length: > 0 } aadObjectId, Id: { Length: > 0 } teamsUserId })
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
        var input = Input(activity, text, action);
        if (acknowledge is null)
        {
            await AnswerAsync(activity, await handler.HandleAsync(input, cancellationToken), cancellationToken);
            return Results.Ok();
        }
        // Bot Framework waits 15 s for the request: a slower answer follows through the outbox.
        var outcome = await acknowledge.RunAsync(token => handler.HandleAsync(input, token), options.Value.ReplyBudget,
            (late, token) => AnswerLateAsync(activity, late, token), ex => TeamsLog.ReplyFailed(logger, activity.Id!, ex.Message), cancellationToken);
        if (outcome.InTime)
        {
            await AnswerAsync(activity, outcome.Reply!, cancellationToken);
        }
        return Results.Ok();
    }

    private async Task AnswerAsync(Activity activity, ChatReply reply, CancellationToken cancellationToken)
    {
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
    }

    /// <summary>An answer later than the budget goes through the outbox (durable, retried) when the host has one.</summary>
    private async Task AnswerLateAsync(Activity activity, ChatReply reply, CancellationToken cancellationToken)
    {
        if (outbox is null)
        {
            await AnswerAsync(activity, reply, cancellationToken);
        }
        else if (reply.Card is not null || !string.IsNullOrWhiteSpace(reply.Text))
        {
            await outbox.PostToConversationAsync(TeamsChannelAdapter.ChannelName, activity.Conversation!.Id!, $"reply:{activity.Id}",
                reply.Card ?? CardDocument.Text(reply.Text), cancellationToken);
        }
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
            var tenant = TeamsTenantPolicy.TenantOf(activity);
            if (tenants.InstallRefusal(activity) is { } reason)
            {
                await RefuseInstallAsync(activity, serviceUrl, channelId, tenant, reason, cancellationToken);
                return Results.Ok();
            }

            var configuredChannel = options.Value.ChannelId;
            if (configuredChannel.Length > 0 && !string.Equals(configuredChannel, channelId, StringComparison.Ordinal))
            {
                TeamsLog.InstallBesideConfigured(logger, channelId, configuredChannel);
                return Results.Ok();
            }

            await conversations.RememberInstallAsync(new TeamsChannelReference(serviceUrl, channelId, channelData?.Team?.Id, tenant), cancellationToken);
            await conversations.RememberServiceUrlAsync(channelId, serviceUrl, cancellationToken);
            TeamsLog.Installed(logger, channelData?.Team?.Id, channelId);
        }

        return Results.Ok();
    }

    /// <summary>
    /// Another organisation (or a non-Teams channel) added the bot: it is told politely that DrBot will
    /// not serve it, the attempt is audited, and nothing about it is remembered.
    /// </summary>
    private async Task RefuseInstallAsync(Activity activity, string serviceUrl, string channelId, string? tenant, string reason, CancellationToken cancellationToken)
    {
        TeamsLog.InstallRefused(logger, channelId, activity.ChannelData?.Team?.Id, tenant, reason);
        if (audit is not null)
        {
            await audit.RecordAsync($"teams:{tenant ?? "unknown-tenant"}", "teams.install-refused", channelId, reason, cancellationToken);
        }

        var notice = await messages.MessageAsync(CardDocument.Text(
            "Thanks for adding DrBot. This DrBot serves one organisation's incident channel and is not set up for this team, so it will not post or act here. Please remove it, or ask the team that runs it."),
            cancellationToken);
        var sent = await connector.SendAsync(serviceUrl, activity.Conversation?.Id ?? channelId, notice, cancellationToken);
        if (!sent.Succeeded)
        {
            TeamsLog.ReplyFailed(logger, activity.Id ?? "", sent.Failure?.Error);
        }
    }

    private async Task<bool> FirstDeliveryAsync(Activity activity, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(activity.Id))
        {
            return true;
        }

        var first = await store.TryClaimIdempotencyKeyAsync(ActivityKeyPrefix + activity.Id, time.GetUtcNow(), cancellationToken);
        if (!first)
        {
            TeamsLog.Duplicate(logger, activity.Id);
        }

        return first;
    }

    private ChatInput Input(Activity activity, string? text, CardAction? action)
    {
        var from = activity.From ?? new ChannelAccount();
        var user = new ChatUser(from.Id ?? "", from.Name ?? "someone", tenants.RosterPerson(activity, roster));
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
