namespace DrBot.Bot.Cards.BlockKit;

/// <summary>Slack's Block Kit size limits (PROTOCOLS.md). Slack rejects a message that breaks any of them.</summary>
public static class BlockKitLimits
{
    public const int MaxBlocks = 50;
    public const int HeaderText = 150;
    public const int SectionText = 3000;
    public const int SectionFields = 10;
    public const int FieldText = 2000;
    public const int ContextElements = 10;
    public const int ContextText = 3000;
    public const int ActionsElements = 25;
    public const int ButtonText = 75;
    public const int ActionId = 255;
    public const int ButtonValue = 2000;
    public const int BlockId = 255;
    public const int ConfirmTitle = 100;
    public const int ConfirmText = 300;
    public const int ConfirmButton = 30;
    public const int InputLabel = 2000;
    public const int Placeholder = 150;
    /// <summary>Slack truncates longer top-level text; the fallback only needs the gist.</summary>
    public const int FallbackText = 3000;

    public const string Ellipsis = "…";

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> characters, ending in "…" when cut.</summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var cut = text[..(max - Ellipsis.Length)];
        // Never leave half a surrogate pair: Slack counts characters and would reject the broken one.
        if (cut.Length > 0 && char.IsHighSurrogate(cut[^1]))
        {
            cut = cut[..^1];
        }
        return cut + Ellipsis;
    }
}
