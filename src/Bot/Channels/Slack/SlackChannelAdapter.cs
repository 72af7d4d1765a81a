using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// Slack, outbound: cards as Block Kit through <c>chat.postMessage</c>, <c>chat.update</c> and
/// <c>chat.postEphemeral</c>; war rooms through <c>conversations.create</c> and
/// <c>conversations.invite</c>. Conversation "" means the configured incident channel.
/// </summary>
public sealed class SlackChannelAdapter(
    SlackWebApi api,
    IBlockKitRenderer renderer,
    SlackPostPacer pacer,
    IIdempotencyStore store,
    IOptions<SlackOptions> options) : IChannelAdapter
{
    public const string ChannelName = "slack";

    public string Name => ChannelName;

    public async Task<DeliveryResult> PostAsync(string conversation, string? threadId, CardDocument card, CancellationToken cancellationToken)
    {
        if (Resolve(conversation) is not { } channel)
        {
            return NoChannel();
        }
        var body = Message(channel, card);
        if (!string.IsNullOrEmpty(threadId))
        {
            body["thread_ts"] = threadId;
        }
        body["unfurl_links"] = false;
        await pacer.WaitTurnAsync(channel, cancellationToken);
        var result = await api.CallAsync("chat.postMessage", body, cancellationToken);
        if (!result.Ok)
        {
            return result.Failure!;
        }
        var ts = result.Get("ts") ?? "";
        // A top-level post starts its own thread: replies to it use its ts.
        return DeliveryResult.Delivered(ts, string.IsNullOrEmpty(threadId) ? ts : threadId);
    }

    public async Task<DeliveryResult> UpdateAsync(string conversation, string platformMessageId, CardDocument card, CancellationToken cancellationToken)
    {
        if (Resolve(conversation) is not { } channel)
        {
            return NoChannel();
        }
        var body = Message(channel, card);
        body["ts"] = platformMessageId;
        var result = await api.CallAsync("chat.update", body, cancellationToken);
        return result.Ok ? DeliveryResult.Delivered(result.Get("ts") ?? platformMessageId) : result.Failure!;
    }

    public async Task<DeliveryResult> PostPrivateAsync(string conversation, string platformUserId, CardDocument card, CancellationToken cancellationToken)
    {
        if (Resolve(conversation) is not { } channel)
        {
            return NoChannel();
        }
        var body = Message(channel, card);
        body["user"] = platformUserId;
        var result = await api.CallAsync("chat.postEphemeral", body, cancellationToken);
        return result.Ok ? DeliveryResult.Delivered(result.Get("message_ts") ?? "") : result.Failure!;
    }

    public async Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken)
    {
        // Remembered, so a retry after a failed invite reuses the room instead of opening "-2".
        var key = $"slack:war-room:{incidentId}";
        var channelId = await store.GetValueAsync(key, cancellationToken);
        if (channelId is null)
        {
            var created = await CreateWarRoomAsync(SlackWarRoomName.For(incidentId, title), cancellationToken);
            if (!created.Ok)
            {
                return created.Failure!;
            }
            channelId = created.Body?["channel"]?["id"]?.GetValue<string>() ?? "";
            await store.SetValueAsync(key, channelId, cancellationToken);
        }
        var users = members.Select(m => m.SlackUserId).Where(id => !string.IsNullOrWhiteSpace(id)).Distinct().ToList();
        if (users.Count > 0)
        {
            var invite = await api.CallAsync("conversations.invite", new JsonObject
            {
                ["channel"] = channelId,
                ["users"] = string.Join(',', users),
            }, cancellationToken);
            if (!invite.Ok && invite.Error is not ("already_in_channel" or "cant_invite_self"))
            {
                return invite.Failure!;
            }
        }
        return DeliveryResult.Delivered(channelId);
    }

    /// <summary>A person's display name from <c>users.info</c>, or null when Slack does not know them.</summary>
    public async Task<string?> GetUserNameAsync(string userId, CancellationToken cancellationToken)
    {
        var result = await api.CallFormAsync("users.info", new Dictionary<string, string> { ["user"] = userId }, cancellationToken);
        if (!result.Ok || result.Body?["user"] is not JsonObject user)
        {
            return null;
        }
        static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
        return Text(user["profile"]?["display_name"]) ?? Text(user["real_name"]) ?? Text(user["name"]);
    }

    private async Task<SlackApiResult> CreateWarRoomAsync(string name, CancellationToken cancellationToken)
    {
        SlackApiResult result = new(null, DeliveryResult.Permanent("conversations.create: name_taken"), "name_taken");
        for (var attempt = 1; attempt <= 10; attempt++)
        {
            var candidate = attempt == 1 ? name : SlackWarRoomName.WithSuffix(name, attempt);
            result = await api.CallAsync("conversations.create", new JsonObject
            {
                ["name"] = candidate,
                ["is_private"] = options.Value.PrivateWarRooms,
            }, cancellationToken);
            if (result.Error != "name_taken")
            {
                return result;
            }
        }
        return result;
    }

    private JsonObject Message(string channel, CardDocument card)
    {
        var rendered = renderer.Render(card);
        return new JsonObject
        {
            ["channel"] = channel,
            ["text"] = rendered.Text,
            ["blocks"] = rendered.Blocks.DeepClone(),
        };
    }

    private string? Resolve(string conversation)
    {
        var channel = string.IsNullOrWhiteSpace(conversation) ? options.Value.ChannelId : conversation;
        return string.IsNullOrWhiteSpace(channel) ? null : channel;
    }

    private static DeliveryResult NoChannel() =>
        DeliveryResult.Permanent("no Slack channel: the conversation is empty and DrBot:Slack:ChannelId is not set");
}
