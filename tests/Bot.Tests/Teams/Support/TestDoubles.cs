using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Channels;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Tests.Teams.Support;

/// <summary>Records every input and answers with whatever the test set.</summary>
public sealed class RecordingChatInputHandler : IChatInputHandler
{
    public ConcurrentQueue<ChatInput> Inputs { get; } = new();

    public Func<ChatInput, ChatReply> Answer { get; set; } = _ => ChatReply.Public("ok");

    public Task<ChatReply> HandleAsync(ChatInput input, CancellationToken cancellationToken)
    {
        Inputs.Enqueue(input);
        return Task.FromResult(Answer(input));
    }
}

/// <summary>A minimal Adaptive Card renderer until the real one is merged: title and buttons.</summary>
public sealed class TestAdaptiveCardRenderer : IAdaptiveCardRenderer
{
    public JsonObject Render(CardDocument card)
    {
        var actions = new JsonArray();
        foreach (var button in card.Actions)
        {
            actions.Add(new JsonObject { ["type"] = "Action.Execute", ["title"] = button.Label, ["verb"] = button.Verb });
        }

        var content = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["version"] = "1.5",
            ["body"] = new JsonArray(new JsonObject { ["type"] = "TextBlock", ["text"] = card.Title }),
            ["actions"] = actions,
        };
        if (card.Refresh is not null)
        {
            content["refresh"] = new JsonObject
            {
                ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = card.Refresh.Verb },
                ["userIds"] = new JsonArray([.. card.Refresh.Users.Select(p => JsonValue.Create(p.TeamsAadObjectId))]),
            };
        }

        return content;
    }
}
