using System.Globalization;
using System.Text;
using DrBot.Bot.Kpis;
using DrBot.Bot.Views;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Outbox;

namespace DrBot.Bot.Hosting;

/// <summary><c>/healthz</c> (is the store reachable) and <c>/metrics</c> (Prometheus text format).</summary>
public static class HealthAndMetrics
{
    public static IEndpointRouteBuilder MapHealthAndMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (IOutboxStore store, CancellationToken cancellationToken) =>
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
        app.MapGet("/metrics", async (RunQueries runs, IncidentService incidents, IOutboxStore outbox, RunbookCatalog catalog, KpiService kpis, CancellationToken cancellationToken) =>
            Results.Text(await RenderAsync(runs, incidents, outbox, catalog, cancellationToken) + KpiMetrics.Render((await kpis.ComputeAsync("all", cancellationToken)).Report!), "text/plain; version=0.0.4"));
        return app;
    }

    public static async Task<string> RenderAsync(RunQueries runQueries, IncidentService incidentService, IOutboxStore outbox, RunbookCatalog catalog, CancellationToken cancellationToken)
    {
        var runs = await runQueries.ListAllAsync(cancellationToken);
        var incidents = await incidentService.ListOpenAsync(cancellationToken);
        var backlog = await outbox.CountUndeliveredAsync(cancellationToken);
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
