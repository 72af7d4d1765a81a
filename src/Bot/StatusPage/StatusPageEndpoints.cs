using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.StatusPage;

/// <summary>
/// The public, read-only status page: <c>GET /status</c> (HTML; JSON when asked with
/// <c>Accept: application/json</c>), <c>GET /status.json</c> and <c>GET /status/feed.atom</c>.
/// No authentication: it shows only what <see cref="PublicStatus"/> lets out.
/// </summary>
public static class StatusPageEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IOptions<StatusPageOptions>>().Value.Enabled)
            return app;
        app.MapGet("/status", async (HttpContext context, PublicStatus status, CancellationToken cancellationToken) =>
        {
            var view = await status.BuildAsync(cancellationToken);
            return context.Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true)
                ? Results.Text(JsonSerializer.Serialize(view, Json), "application/json")
                : Results.Text(Html(view), "text/html; charset=utf-8");
        });
        app.MapGet("/status.json", async (PublicStatus status, CancellationToken cancellationToken) =>
            Results.Text(JsonSerializer.Serialize(await status.BuildAsync(cancellationToken), Json), "application/json"));
        app.MapGet("/status/feed.atom", async (PublicStatus status, IOptions<StatusPageOptions> options, CancellationToken cancellationToken) =>
            Results.Text(Feed(await status.BuildAsync(cancellationToken), options.Value.PublicUrl), "application/atom+xml; charset=utf-8"));
        return app;
    }

    public static string Feed(PublicStatusView view, Uri? publicUrl)
    {
        var page = publicUrl?.ToString() ?? "/status";
        var entries = view.Active.Concat(view.History).Select(incident => new XElement(Atom + "entry",
            new XElement(Atom + "id", $"urn:drbot:status:{incident.Key}"),
            new XElement(Atom + "title", $"{incident.Title} ({incident.Status})"),
            new XElement(Atom + "updated", Stamp(incident.Updates.Select(u => u.At).Append(incident.ResolvedAt ?? incident.StartedAt).Max())),
            new XElement(Atom + "published", Stamp(incident.StartedAt)),
            new XElement(Atom + "link", new XAttribute("href", page)),
            new XElement(Atom + "content", new XAttribute("type", "text"),
                $"Affected: {string.Join(", ", incident.Components)}\n" + string.Join("\n", incident.Updates.Select(u => $"{Stamp(u.At)}: {u.Text}"))))).ToList();
        var feed = new XElement(Atom + "feed",
            new XElement(Atom + "id", "urn:drbot:status"),
            new XElement(Atom + "title", view.Title),
            new XElement(Atom + "updated", Stamp(view.GeneratedAt)),
            new XElement(Atom + "link", new XAttribute("href", page)),
            new XElement(Atom + "author", new XElement(Atom + "name", view.Title)),
            entries);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), feed).Declaration + "\n" + feed;
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Label(string status) => PublicStatus.Title(status);

    public static string Html(PublicStatusView view)
    {
        var e = HtmlEncoder.Default;
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{e.Encode(view.Title)}}</title>
            <link rel="alternate" type="application/atom+xml" href="/status/feed.atom" title="Status updates">
            <style>
            body{font-family:system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1d2330;background:#f7f8fa}
            h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem}
            .banner{padding:1rem 1.2rem;border-radius:8px;color:#fff;font-weight:600;font-size:1.1rem}
            .operational{background:#2e7d32} .degraded_performance{background:#f9a825} .partial_outage{background:#ef6c00} .major_outage{background:#c62828}
            table{width:100%;border-collapse:collapse;background:#fff;border-radius:8px;overflow:hidden}
            td{padding:.55rem .9rem;border-bottom:1px solid #e6e8ec} td.state{text-align:right}
            .dot{display:inline-block;width:.7rem;height:.7rem;border-radius:50%;margin-right:.4rem;vertical-align:middle}
            .tier{color:#6b7280;font-size:.85rem} .incident{background:#fff;border-radius:8px;padding:.8rem 1rem;margin:.6rem 0;border-left:6px solid #999}
            .incident.major_outage{border-color:#c62828;background:#fff} .incident.partial_outage{border-color:#ef6c00;background:#fff} .incident.degraded_performance{border-color:#f9a825;background:#fff}
            .when{color:#6b7280;font-size:.85rem} footer{margin-top:2rem;color:#6b7280;font-size:.8rem}
            </style></head><body>
            <h1>{{e.Encode(view.Title)}}</h1>
            <div class="banner {{view.Overall}}">{{(view.Overall == PublicStatus.Operational ? "All systems operational" : e.Encode(Label(view.Overall)))}}</div>
            """);
        if (view.Active.Count > 0)
        {
            html.Append("<h2>Current incidents</h2>");
            foreach (var incident in view.Active)
                AppendIncident(html, incident, e);
        }
        html.Append("<h2>Components</h2><table>");
        foreach (var component in view.Components)
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{e.Encode(component.Name)} <span class="tier">{e.Encode(component.Tier)}</span></td><td class="state"><span class="dot {component.Status}"></span>{e.Encode(Label(component.Status))}</td></tr>""");
        html.Append("</table><h2>Past incidents</h2>");
        if (view.History.Count == 0)
            html.Append("<p>No incidents in this period.</p>");
        foreach (var incident in view.History)
            AppendIncident(html, incident, e);
        html.Append(CultureInfo.InvariantCulture, $"""<footer>Updated {Stamp(view.GeneratedAt)} · <a href="/status/feed.atom">Atom feed</a> · <a href="/status.json">JSON</a></footer></body></html>""");
        return html.ToString();
    }

    private static void AppendIncident(StringBuilder html, PublicIncident incident, HtmlEncoder e)
    {
        html.Append(CultureInfo.InvariantCulture, $"""<div class="incident {incident.Impact}"><strong>{e.Encode(incident.Title)}</strong> — {e.Encode(incident.Status)}<div class="when">Since {Stamp(incident.StartedAt)}{(incident.ResolvedAt is { } r ? $", resolved {Stamp(r)}" : "")} · affects {e.Encode(string.Join(", ", incident.Components))}</div>""");
        foreach (var update in incident.Updates)
            html.Append(CultureInfo.InvariantCulture, $"""<p><span class="when">{Stamp(update.At)}</span><br>{e.Encode(update.Text)}</p>""");
        html.Append("</div>");
    }
}
