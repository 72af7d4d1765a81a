using DrBot.Bot.Cards;
using DrBot.Bot.Channels.Teams.Graph;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Channels.Teams;

public sealed partial class TeamsChannelAdapter
{
    /// <summary>
    /// The Connector cannot create channels, Graph can: with <c>DrBot:Teams:Graph</c> set, the war room
    /// is a channel of the team with the responders added and a meeting link, and the card is posted
    /// there. Without Graph, or when Graph refuses, it is a thread in the incident channel that mentions
    /// every member, and the card says why. Either way the incident records where its war room is.
    /// </summary>
    public async Task<DeliveryResult> OpenWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, CancellationToken cancellationToken)
    {
        var graph = await graphWarRooms.PrepareAsync(incidentId, title, members, cancellationToken);
        if (graph.RetryReason is { } retry)
            return DeliveryResult.Retry(retry);
        return graph.Room is { } room
            ? await OpenChannelWarRoomAsync(incidentId, title, members, room, cancellationToken)
            : await OpenThreadWarRoomAsync(incidentId, title, members, graph.FallbackReason!, cancellationToken);
    }

    private async Task<DeliveryResult> OpenChannelWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, TeamsWarRoomRecord room, CancellationToken cancellationToken)
    {
        if (room is { ActivityId: { } posted, ConversationId: { } postedIn })
            return DeliveryResult.Delivered(postedIn, posted);
        var blocks = new List<CardBlock> { new TextBlock($"War room for {incidentId}: {title}. Discuss the incident in this channel.") };
        if (room.MeetingUrl is not null)
            blocks.Add(new FactsBlock([new Fact("Meeting", room.MeetingUrl)]));
        blocks.AddRange(room.Notes.Select(note => new ContextBlock(char.ToUpperInvariant(note[0]) + note[1..] + ".")));
        var card = new CardDocument($"War room {incidentId}: {title}", $"War room for {incidentId}: {title}", CardTone.Attention, Blocks: blocks, Mentions: members);
        var result = await StartThreadInIncidentChannelAsync(await messages.MessageAsync(card, cancellationToken), cancellationToken, room.ChannelId);
        if (result.Status != DeliveryStatus.Delivered || result.PlatformMessageId is null)
            return result;
        var conversation = await conversations.ConversationOfActivityAsync(result.PlatformMessageId, cancellationToken) ?? room.ChannelId;
        await graphWarRooms.SaveAsync(incidentId, room with { ConversationId = conversation, ActivityId = result.PlatformMessageId }, cancellationToken);
        await RecordWarRoomAsync(incidentId, room.Describe(), cancellationToken);
        return DeliveryResult.Delivered(conversation, result.PlatformMessageId);
    }

    private async Task<DeliveryResult> OpenThreadWarRoomAsync(string incidentId, string title, IReadOnlyList<Person> members, string reason, CancellationToken cancellationToken)
    {
        var card = new CardDocument($"War room {incidentId}: {title}", $"War room for {incidentId}: {title}. Discuss the incident in this thread.",
            CardTone.Attention, Blocks: [new TextBlock("Discuss the incident in this thread."), new ContextBlock($"This is a thread because there is {reason}.")], Mentions: members);
        var result = await StartThreadInIncidentChannelAsync(await messages.MessageAsync(card, cancellationToken), cancellationToken);
        if (result.Status != DeliveryStatus.Delivered || result.PlatformMessageId is null)
        {
            return result;
        }

        var threadConversation = await conversations.ConversationOfActivityAsync(result.PlatformMessageId, cancellationToken);
        await RecordWarRoomAsync(incidentId, $"thread in the incident channel ({reason})", cancellationToken);
        return DeliveryResult.Delivered(threadConversation ?? result.PlatformMessageId, result.PlatformMessageId);
    }

    private Task RecordWarRoomAsync(string incidentId, string warRoom, CancellationToken cancellationToken) =>
        warRoomRecorder?.RecordAsync(incidentId, warRoom, cancellationToken) ?? Task.CompletedTask;
}
