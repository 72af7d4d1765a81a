using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using DrBot.Bot.Strategy;
using DrBot.Bot.Views;
using DrBot.Runbooks.Kpis;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Kpis;

/// <summary><c>GET /kpis?period=30d</c> (page with charts), <c>GET /kpis.json?period=30d</c> (the same figures as JSON).</summary>
public static class KpiEndpoints
{
    /// <summary>Browser files the page loads, served here so the page works with the web chat's static files off.</summary>
    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["chart.umd.min.js"] = "lib/chart.umd.min.js",
        ["kpis.js"] = "kpis.js",
    };

    public static IEndpointRouteBuilder MapKpiEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/kpis", async (string? period, KpiService kpis, IOptions<DrBotOptions> options, CancellationToken cancellationToken) =>
        {
            var (report, error) = await kpis.ComputeAsync(period, cancellationToken);
            return report is null ? Results.Problem(error, statusCode: 400) : Results.Content(Page(report, options.Value), "text/html; charset=utf-8");
        });
        app.MapGet("/kpis.json", async (string? period, KpiService kpis, CancellationToken cancellationToken) =>
        {
            var (report, error) = await kpis.ComputeAsync(period, cancellationToken);
            return report is null ? Results.Problem(error, statusCode: 400) : Results.Json(report);
        });
        app.MapGet("/kpis/assets/{name}", (string name, IWebHostEnvironment environment) =>
        {
            if (!Assets.TryGetValue(name, out var path))
                return Results.Problem($"No asset '{name}' (valid: {string.Join(", ", Assets.Keys)}).", statusCode: 404);
            var file = environment.WebRootFileProvider.GetFileInfo(path);
            return file.Exists
                ? Results.File(file.CreateReadStream(), "text/javascript; charset=utf-8")
                : Results.Problem($"{path} is missing from the web root: build with Node.js (WebAssets.targets) to bundle Chart.js.", statusCode: 503);
        });
        return app;
    }

    private static string Page(KpiReport report, DrBotOptions options)
    {
        var tiers = new TierPolicy(options);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<h1>Disaster-recovery KPIs, {E(report.Period.Label)}</h1>");
        html.Append("<p>Period: ");
        foreach (var p in new[] { "7d", "30d", "90d", "all" })
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"/kpis?period={p}\">{p}</a> ");
        html.Append("· <a href=\"/kpis.json?period=").Append(E(PeriodArgument(report.Period))).Append("\">JSON</a></p>");
        html.Append("<table id=\"kpi-figures\"><tbody>");
        Row(html, "Incidents", report.Incidents.ToString(CultureInfo.InvariantCulture));
        Row(html, "Failover success rate", KpiCards.Rate(report.FailoverSuccessRate, report.FailoversSucceeded, report.FailoversFinished));
        Row(html, "Mean time to recovery", report.MeanTimeToRecovery is { } mttr ? $"{Durations.Format(mttr)} ({report.Recovered} resolved)" : "no incident resolved");
        Row(html, "Mean detection time", report.MeanTimeToDetect is { } ttd ? $"{Durations.Format(ttd)} ({report.Detected} measured)" : "no failure start recorded");
        Row(html, "Successful backups", KpiCards.Rate(report.BackupSuccessRate, report.BackupsSucceeded, report.BackupsTotal));
        html.Append("</tbody></table><h2>RTO and RPO against the tier targets</h2>");
        var data = new Dictionary<string, object>();
        foreach (var tier in tiers.Names)
        {
            var points = report.Recoveries.Where(r => r.Tier == tier).ToList();
            var target = tiers.Get(tier);
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(tier)} (RTO {Durations.Format(target.Rto)}, RPO {Durations.Format(target.Rpo)})</h3>");
            if (points.Count == 0)
            {
                html.Append("<p>No recovery measured in this tier in the period.</p>");
                continue;
            }
            data[tier] = new
            {
                rtoTargetMinutes = Minutes(target.Rto),
                rpoTargetMinutes = Minutes(target.Rpo),
                points = points.Select(p => new { id = p.Id, source = p.Source, at = p.At.UtcDateTime.ToString("o", CultureInfo.InvariantCulture), rtoMinutes = Minutes(p.Rto), rpoMinutes = Minutes(p.Rpo) }),
            };
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"chart\"><canvas id=\"chart-{E(tier)}\" data-tier=\"{E(tier)}\"></canvas></div>");
            html.Append("<table class=\"recoveries\"><thead><tr><th>when</th><th>what</th><th>RTO</th><th>RPO</th></tr></thead><tbody>");
            foreach (var p in points)
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{p.At.UtcDateTime:yyyy-MM-dd HH:mm}</td><td>{E(p.Id)} ({p.Source})</td><td>{Verdict(p.Rto, p.RtoMet)}</td><td>{Verdict(p.Rpo, p.RpoMet)}</td></tr>");
            html.Append("</tbody></table>");
        }
        html.Append("<h2>Last run of each drill and validation</h2><table id=\"last-runs\"><tbody>");
        foreach (var last in report.LastExercises)
            Row(html, last.Kind, last.At is { } at ? $"{at.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {last.Status} ({last.Id})" : "never");
        html.Append("</tbody></table>");
        // System.Text.Json escapes < and > by default, so the data cannot close the script element.
        html.Append("<script id=\"kpi-data\" type=\"application/json\">").Append(JsonSerializer.Serialize(new { tiers = data })).Append("</script>");
        var head = "<script src=\"/kpis/assets/chart.umd.min.js\"></script><script defer src=\"/kpis/assets/kpis.js\"></script>";
        return ReportPage.Wrap($"DR KPIs, {report.Period.Label}", html.ToString(), head);
    }

    private static string PeriodArgument(KpiPeriod period) =>
        period.From is { } from ? $"{Math.Round((period.To - from).TotalHours).ToString(CultureInfo.InvariantCulture)}h" : "all";

    private static double? Minutes(TimeSpan? span) => span is { } s ? Math.Round(s.TotalMinutes, 2) : null;

    private static string Verdict(TimeSpan? measured, bool? met) => measured is { } m
        ? $"<span class=\"{(met == true ? "met" : "missed")}\">{Durations.Format(m)} {(met == true ? "met" : "missed")}</span>"
        : "—";

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
