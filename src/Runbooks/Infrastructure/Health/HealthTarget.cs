namespace DrBot.Runbooks.Infrastructure.Health;

/// <summary>
/// One entry of <c>DrBot:Regions:&lt;region&gt;:Health:Urls</c>: a URL, optionally named
/// (<c>core-api=https://…/healthz</c>). Unnamed URLs take their host and path as the service name.
/// A URL whose path ends in <c>/gossip</c> is an EventStore cluster probed through its gossip.
/// </summary>
internal sealed record HealthTarget(string Service, Uri Url)
{
    public bool IsEventStoreGossip => Url.AbsolutePath.TrimEnd('/').EndsWith("/gossip", StringComparison.OrdinalIgnoreCase);

    public static HealthTarget? Parse(string entry)
    {
        var text = entry.Trim();
        string? name = null;
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0 && !text[..eq].Contains(':', StringComparison.Ordinal) && !text[..eq].Contains('/', StringComparison.Ordinal))
        {
            name = text[..eq].Trim();
            text = text[(eq + 1)..].Trim();
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            return null;
        return new HealthTarget(name ?? (url.Host + url.AbsolutePath).TrimEnd('/'), url);
    }
}
