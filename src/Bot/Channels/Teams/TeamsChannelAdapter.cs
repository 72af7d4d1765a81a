using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels.Teams.Connector;
using DrBot.Bot.Channels.Teams.Graph;
using DrBot.Runbooks.People;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams;

/// <summary>
/// Delivers outbox messages to Teams over the Connector REST API. Conversation <c>""</c> means the
/// incident channel (remembered from the install event, else <c>DrBot:Teams:ServiceUrl</c> +
/// <c>ChannelId</c>): each new post there starts its own thread (create conversation), and its
/// activity id is both the message id and the thread id the outbox keeps for later replies.
/// A P1's war room is a channel of its own when Microsoft Graph is configured (TeamsChannelAdapter.WarRoom.cs).
/// </summary>
public sealed partial class TeamsChannelAdapter(
    ConnectorClient connector,
    TeamsConversations conversations,
    TeamsMessages messages,
    IOptions<TeamsOptions> options,
    TeamsGraphWarRooms graphWarRooms,
    IWarRoomRecorder? warRoomRecorder = null) : IChannelAdapter
{
    public const string ChannelName = "teams";
    private static readonly TimeSpan NoChannelYetRetry = TimeSpan.FromMinutes(5);

    public string Name => ChannelName;

    public async Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken)
    {
        var activity = await messages.MessageAsync(card, cancellationToken);
        if (!string.IsNullOrEmpty(threadId))
        {
            return await ReplyInThreadAsync(conversation, threadId, activity, cancellationToken);
        }

        if (string.IsNullOrEmpty(conversation))
        {
            return await StartThreadInIncidentChannelAsync(activity, cancellationToken);
        }

        var serviceUrl = await conversations.ServiceUrlForAsync(conversation, cancellationToken);
        if (serviceUrl is null)
        {
            return DeliveryResult.Retry($"No serviceUrl is known for conversation '{conversation}' yet.", NoChannelYetRetry);
        }

        var sent = await connector.SendAsync(serviceUrl, conversation, activity, cancellationToken);
        return await DeliveredAsync(sent, conversation, threadOf: null, cancellationToken);
    }

    public async Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken)
    {
        var target = await conversations.ConversationOfActivityAsync(platformMessageId, cancellationToken);
        if (target is null && string.IsNullOrEmpty(conversation))
        {
            target = (await conversations.IncidentChannelAsync(cancellationToken))?.ChannelId;
        }

        target ??= conversation;
        var serviceUrl = await conversations.ServiceUrlForAsync(target, cancellationToken);
        if (serviceUrl is null || string.IsNullOrEmpty(target))
        {
            return DeliveryResult.Retry($"No conversation is known for message '{platformMessageId}' yet.", NoChannelYetRetry);
        }

        var activity = await messages.MessageAsync(card, cancellationToken);
        activity["id"] = platformMessageId;
        var updated = await connector.UpdateAsync(serviceUrl, target, platformMessageId, activity, cancellationToken);
        return updated.Failure ?? DeliveryResult.Delivered(platformMessageId);
    }

    /// <summary>A 1:1 chat with the person (the bot must be installed for them, which installing it in the team does).</summary>
    public async Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken)
    {
        var channel = await conversations.IncidentChannelAsync(cancellationToken);
        var serviceUrl = string.IsNullOrEmpty(conversation) ? channel?.ServiceUrl : await conversations.ServiceUrlForAsync(conversation, cancellationToken);
        if (serviceUrl is null)
        {
            return DeliveryResult.Retry("No Teams serviceUrl is known yet.", NoChannelYetRetry);
        }

        var parameters = ConversationParameters(isGroup: false, channelId: null, channel?.TenantId, await messages.MessageAsync(card, cancellationToken));
        parameters["members"] = new JsonArray(new JsonObject { ["id"] = platformUserId });
        var created = await connector.CreateConversationAsync(serviceUrl, parameters, cancellationToken);
        return await CreatedAsync(created, cancellationToken);
    }

    /// <summary>A new post in the incident channel, or in <paramref name="channelId"/> of the same team (a war-room channel).</summary>
    private async Task<DeliveryResult> StartThreadInIncidentChannelAsync(JsonObject activity, CancellationToken cancellationToken, string? channelId = null)
    {
        var channel = await conversations.IncidentChannelAsync(cancellationToken);
        if (channel is null)
        {
            return DeliveryResult.Retry("The incident channel is not known yet: add DrBot to the team, or set DrBot:Teams:ServiceUrl and DrBot:Teams:ChannelId.", NoChannelYetRetry);
        }

        var parameters = ConversationParameters(isGroup: true, channelId ?? channel.ChannelId, channel.TenantId, activity);
        var created = await connector.CreateConversationAsync(channel.ServiceUrl, parameters, cancellationToken);
        if (created.Succeeded && created.Id is { } conversationId)
        {
            await conversations.RememberServiceUrlAsync(conversationId, channel.ServiceUrl, cancellationToken);
        }

        return await CreatedAsync(created, cancellationToken);
    }

    private async Task<DeliveryResult> ReplyInThreadAsync(string conversation, string threadId, JsonObject activity, CancellationToken cancellationToken)
    {
        // The thread's own conversation id (19:…;messageid=…) when we started it, else the channel's.
        var target = await conversations.ConversationOfActivityAsync(threadId, cancellationToken);
        if (target is null)
        {
            target = string.IsNullOrEmpty(conversation) ? (await conversations.IncidentChannelAsync(cancellationToken))?.ChannelId : conversation;
        }

        var serviceUrl = target is null ? null : await conversations.ServiceUrlForAsync(target, cancellationToken);
        if (target is null || serviceUrl is null)
        {
            return DeliveryResult.Retry($"No conversation is known for thread '{threadId}' yet.", NoChannelYetRetry);
        }

        var sent = await connector.ReplyAsync(serviceUrl, target, threadId, activity, cancellationToken);
        return await DeliveredAsync(sent, target, threadId, cancellationToken);
    }

    private async Task<DeliveryResult> DeliveredAsync(ConnectorResult sent, string conversationId, string? threadOf, CancellationToken cancellationToken)
    {
        if (sent.Failure is not null)
        {
            return sent.Failure;
        }

        if (sent.Id is not { Length: > 0 } activityId)
        {
            return DeliveryResult.Permanent("The Connector accepted the message but returned no id.");
        }

        await conversations.RememberActivityAsync(activityId, conversationId, cancellationToken);
        return DeliveryResult.Delivered(activityId, threadOf ?? activityId);
    }

    private async Task<DeliveryResult> CreatedAsync(ConnectorResult created, CancellationToken cancellationToken)
    {
        if (created.Failure is not null)
        {
            return created.Failure;
        }

        var conversationId = created.Id;
        var activityId = created.Body?["activityId"]?.GetValue<string>();
        if (string.IsNullOrEmpty(conversationId) || string.IsNullOrEmpty(activityId))
        {
            return DeliveryResult.Permanent("The Connector created the conversation but returned no id or activityId.");
        }

        await conversations.RememberActivityAsync(activityId, conversationId, cancellationToken);
        return DeliveryResult.Delivered(activityId, activityId);
    }

    private JsonObject ConversationParameters(bool isGroup, string? channelId, string? tenantId, JsonObject activity)
    {
        var tenant = string.IsNullOrEmpty(tenantId) ? options.Value.TenantId : tenantId;
        var channelData = new JsonObject();
        if (channelId is not null)
        {
            channelData["channel"] = new JsonObject { ["id"] = channelId };
        }

        if (!string.IsNullOrEmpty(tenant))
        {
            channelData["tenant"] = new JsonObject { ["id"] = tenant };
        }

        var parameters = new JsonObject
        {
            ["isGroup"] = isGroup,
            ["bot"] = new JsonObject { ["id"] = "28:" + options.Value.AppId },
            ["channelData"] = channelData,
            ["activity"] = activity,
        };
        if (!string.IsNullOrEmpty(tenant))
        {
            parameters["tenantId"] = tenant;
        }

        return parameters;
    }
}
