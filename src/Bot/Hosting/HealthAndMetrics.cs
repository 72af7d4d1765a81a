using System.Globalization;
using System.Text;
using DrBot.Bot.Kpis;
using DrBot.Bot.Views;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Hosting;

/// <summary><c>/healthz</c> (is the store reachable) and <c>/metrics</c> (Prometheus text format).</summary>
public static class HealthAndMetrics
{
    public static IEndpointRouteBuilder MapHealthAndMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (IDrBotStore store, CancellationToken cancellationToken) =>
        {
            try
            {
                var backlog = await store.CountUndeliveredAsync(cancellationToken);
                return Results.Ok(new { status = "ok", outboxBacklog = backlog });
            }
            catch (StoreUnavailableException ex)
            {
                return Results.Problem($"store unavailable: {ex.Message}", statusCode: 503);
            }
        });
        app.MapGet("/metrics", async (IDrBotStore store, RunbookCatalog catalog, KpiService kpis, CancellationToken cancellationToken) =>
            Results.Text(await RenderAsync(store, catalog, cancellationToken) + KpiMetrics.Render((await kpis.ComputeAsync("all", cancellationToken)).Report!), "text/plain; version=0.0.4"));
        return app;
    }

    public static async Task<string> RenderAsync(IDrBotStore store, RunbookCatalog catalog, CancellationToken cancellationToken)
    {
        var runs = await store.ListRunsAsync(unfinishedOnly: false, cancellationToken);
        var incidents = await store.ListIncidentsAsync(openOnly: true, cancellationToken);
        var backlog = await store.CountUndeliveredAsync(cancellationToken);
        var text = new StringBuilder();
        text.AppendLine("# HELP drbot_runs_total Runbook runs by outcome (none = still running).");
        text.AppendLine("# TYPE drbot_runs_total gauge");
        foreach (var outcome in Enum.GetValues<RunOutcome>())
            text.AppendLine(CultureInfo.InvariantCulture, $"drbot_runs_total{{outcome=\"{outcome.ToString().ToLowerInvariant()}\"}} {runs.Count(r => r.Outcome == outcome)}");
        text.AppendLine("# HELP drbot_gates_pending Approval gates waiting for a decision.");
        text.AppendLine("# TYPE drbot_gates_pending gauge");
        text.AppendLine(CultureInfo.InvariantCulture, $"drbot_gates_pending {runs.Count(r => RunbookCard.PendingGate(r, catalog.Find(r.Runbook)) is not null)}");
        text.AppendLine("# HELP drbot_incidents_open Open incidents by severity.");
        text.AppendLine("# TYPE drbot_incidents_open gauge");
        foreach (var severity in new[] { "P1", "P2", "P3", "P4" })
            text.AppendLine(CultureInfo.InvariantCulture, $"drbot_incidents_open{{severity=\"{severity}\"}} {incidents.Count(i => i.Severity == severity)}");
        text.AppendLine("# HELP drbot_outbox_backlog Posts and updates not yet delivered.");
        text.AppendLine("# TYPE drbot_outbox_backlog gauge");
        text.AppendLine(CultureInfo.InvariantCulture, $"drbot_outbox_backlog {backlog}");
        return text.ToString();
    }
}
