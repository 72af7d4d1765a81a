using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace DrBot.Bot.Channels.Local;

/// <summary>
/// Stands in front of the local web chat (its page and <c>/api/local</c>): only requests that
/// name a loopback Host (or a configured one), arrive on a loopback address unless remote access
/// is allowed, and, for anything that changes state, come from the page's own origin or carry the
/// page's header. This is what stops a page on another site, or one that rebinds its DNS name to
/// 127.0.0.1, from approving as somebody else.
/// </summary>
public sealed partial class LocalChatGuard(RequestDelegate next, IConfiguration configuration, ILogger<LocalChatGuard> logger)
{
    /// <summary>Scripts send this header; a cross-site page cannot without a CORS preflight, which is never granted.</summary>
    public const string PageHeader = "X-DrBot-Local";

    /// <summary>A command or a click is a few hundred bytes; 64 KiB leaves room for long reasons.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    private readonly bool _allowRemote = LocalChatSettings.AllowRemote(configuration);
    private readonly HashSet<string> _allowedHosts = new(LocalChatSettings.AllowedHosts(configuration), StringComparer.OrdinalIgnoreCase);

    /// <summary>The paths of the local web chat: its API and the static page (everything not under /api or the probes).</summary>
    public static bool Covers(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api/local"))
            return true;
        return !path.StartsWithSegments("/api") && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/metrics");
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (Refusal(context) is { } reason)
        {
            LogRefused(context.Request.Method, context.Request.Path.Value ?? "/", reason);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new { title = "Refused by the local web chat", status = 403, detail = reason },
                context.RequestAborted);
            return;
        }
        // The API takes small JSON bodies only; anything larger is refused (413) before it is read.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;
        await next(context);
    }

    private string? Refusal(HttpContext context)
    {
        var request = context.Request;
        if (!_allowRemote && context.Connection.RemoteIpAddress is { } remote && !IPAddress.IsLoopback(remote))
            return "The local web chat answers only this machine (DrBot:Local:AllowRemote is false).";
        var host = request.Host.Host;
        if (string.IsNullOrEmpty(host) || !LocalChatSettings.IsLoopbackHost(host) && !(_allowRemote && _allowedHosts.Contains(host)))
            return $"Host '{request.Host}' is not served: open the local web chat as http://localhost:<port> or http://127.0.0.1:<port>"
                + (_allowRemote ? " or a name in DrBot:Local:AllowedHosts." : ".");
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
            return null;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
            return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase)
                ? null
                : $"Origin '{origin}' is not this page's origin: the local web chat accepts changes only from its own page.";
        return request.Headers.ContainsKey(PageHeader)
            ? null
            : $"A change needs the page's own Origin or the header '{PageHeader}: 1' (scripts send the header).";
    }

    [LoggerMessage(EventId = HostLogEvents.LocalChatRefused, Level = LogLevel.Warning, Message = "Local web chat refused {Method} {Path}: {Reason}")]
    private partial void LogRefused(string method, string path, string reason);
}
