using System.Text.Json.Nodes;

namespace DrBot.Bot.Cards;

/// <summary>Adaptive Card 1.5 JSON (Teams and the local web chat).</summary>
public interface IAdaptiveCardRenderer
{
    /// <summary>The card's JSON object (<c>{"type":"AdaptiveCard","version":"1.5",…}</c>).</summary>
    JsonObject Render(CardDocument card);
}

/// <summary>Slack Block Kit: the <c>blocks</c> array plus the notification fallback <c>text</c>.</summary>
public interface IBlockKitRenderer
{
    BlockKitMessage Render(CardDocument card);
}

public sealed record BlockKitMessage(string Text, JsonArray Blocks);
