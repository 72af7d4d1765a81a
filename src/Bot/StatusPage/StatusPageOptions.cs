namespace DrBot.Bot.StatusPage;

/// <summary><c>DrBot:StatusPage</c>: the built-in public status page.</summary>
public sealed class StatusPageOptions
{
    public const string Section = "DrBot:StatusPage";

    /// <summary>Serve <c>/status</c>, <c>/status.json</c> and <c>/status/feed.atom</c> (true).</summary>
    public bool Enabled { get; set; } = true;

    public string Title { get; set; } = "Service status";

    /// <summary>How far back the history goes (90 days).</summary>
    public int HistoryDays { get; set; } = 90;

    /// <summary>The page's public URL, for the Atom feed's links (none: relative links).</summary>
    public Uri? PublicUrl { get; set; }
}
