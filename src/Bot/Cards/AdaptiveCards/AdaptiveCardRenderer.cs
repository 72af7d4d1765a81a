using System.Text;
using System.Text.Json.Nodes;

namespace DrBot.Bot.Cards.AdaptiveCards;

/// <summary>
/// Renders a <see cref="CardDocument"/> as Adaptive Card 1.5 JSON for Teams and the local web chat.
/// Buttons become <c>Action.Execute</c> with an <c>Action.Submit</c> fallback; the result always
/// stays under <see cref="MaxCardBytes"/>, cutting long content with a visible "…and N more" line.
/// </summary>
public sealed class AdaptiveCardRenderer : IAdaptiveCardRenderer
{
    /// <summary>Safe everywhere: Teams accepts more, but some clients and older docs stop at 28–40 KB.</summary>
    public const int MaxCardBytes = 28 * 1024;

    /// <summary>Teams runs a card's refresh automatically for at most 60 user ids.</summary>
    public const int MaxRefreshUsers = 60;

    /// <summary>The default host config of the Adaptive Cards renderers shows at most five actions.</summary>
    public const int MaxActions = 5;

    public JsonObject Render(CardDocument card)
    {
        ArgumentNullException.ThrowIfNull(card);

        foreach (var limits in RenderLimits.Levels)
        {
            var json = new AdaptiveCardBuilder(limits, limits.MaxBlocks).Build(card);
            if (SizeInBytes(json) <= MaxCardBytes)
            {
                return json;
            }
        }

        // Still too big at the smallest limits: show as many sections as fit.
        var minimal = RenderLimits.Minimal;
        for (var blocks = Math.Min(card.Body.Count, minimal.MaxBlocks) - 1; blocks > 0; blocks--)
        {
            var json = new AdaptiveCardBuilder(minimal, blocks).Build(card);
            if (SizeInBytes(json) <= MaxCardBytes)
            {
                return json;
            }
        }

        return new AdaptiveCardBuilder(minimal, 0).Build(card);
    }

    /// <summary>
    /// The card's size as sent: UTF-8 of the default (escaping) serialisation, which is the larger
    /// of the usual encodings, so a card that passes here passes on the wire.
    /// </summary>
    public static int SizeInBytes(JsonNode card) => Encoding.UTF8.GetByteCount(card.ToJsonString());
}
