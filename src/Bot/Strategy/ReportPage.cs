using System.Net;

namespace DrBot.Bot.Strategy;

/// <summary>The HTML frame of the report pages (post-mortem, KPIs): styles inline, so a page works even when the web chat's static files are off.</summary>
public static class ReportPage
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
        table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; }
        .chart { position: relative; max-width: 60rem; height: 22rem; margin-bottom: 2rem; }
        .met { color: #176b2c; } .missed { color: #b3261e; font-weight: bold; }
        """;

    /// <param name="body">Already-encoded HTML.</param>
    /// <param name="head">Extra elements for the head (scripts), already encoded.</param>
    public static string Wrap(string title, string body, string head = "") => $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{WebUtility.HtmlEncode(title)}</title><style>{Style}</style>{head}</head>
        <body>{body}</body></html>
        """;
}
