namespace DrBot.Bot.Cards.AdaptiveCards;

/// <summary>
/// How much of a <see cref="CardDocument"/> fits on one card. The renderer tries the levels in
/// order and keeps the first result under the size limit, so ordinary cards are never cut and
/// only runaway content (a huge log excerpt, hundreds of steps) is shortened.
/// </summary>
internal sealed record RenderLimits(
    int MaxTitleChars,
    int MaxTextChars,
    int MaxFacts,
    int MaxFactValueChars,
    int MaxSteps,
    int MaxStepDetailChars,
    int MaxBlocks,
    int MaxMentions)
{
    public static readonly RenderLimits Generous = new(300, 4000, 40, 1000, 60, 400, 60, 40);
    public static readonly RenderLimits Tight = new(200, 1200, 20, 300, 25, 150, 25, 20);
    public static readonly RenderLimits Minimal = new(120, 400, 10, 100, 12, 60, 10, 10);

    public static IReadOnlyList<RenderLimits> Levels { get; } = [Generous, Tight, Minimal];

    /// <summary>Cuts <paramref name="text"/> to at most about <paramref name="max"/> characters and says how much was left out.</summary>
    public static string Shorten(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = max;
        // Never split a surrogate pair: half an emoji is invalid UTF-16 and breaks JSON consumers.
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return $"{text[..cut]}… (and {text.Length - cut} more characters)";
    }

    /// <summary>The line that replaces items left out of a list.</summary>
    public static string MoreLine(int count, string what) => $"…and {count} more {what}";
}
