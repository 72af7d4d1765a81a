using DrBot.Bot.Kpis;
using DrBot.Runbooks.Engine;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DrBot.Bot.Observability;

/// <summary>
/// <c>/metrics</c> from prometheus-net, the alert intake timer, and OpenTelemetry traces (inbound
/// requests, outbound HTTP, Npgsql, runbook steps) exported over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the standard OTEL_* variables).
/// JSON console logs need nothing here: <c>Logging:Console:FormatterName=json</c>.
/// </summary>
public static class ObservabilityRegistration
{
    public static IServiceCollection AddDrBotObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<DrBotMetrics>();
        services.AddSingleton<IRunProjection, MetricsRunObserver>();
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? "drbot", serviceInstanceId: configuration["DrBot:Engine:ReplicaId"]))
                .WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/healthz" && context.Request.Path != "/metrics")
                    .AddHttpClientInstrumentation()
                    .AddSource("Npgsql")
                    .AddSource(DrBotTracing.RunbookSource)
                    .AddOtlpExporter());
        }
        return services;
    }

    public static WebApplication UseDrBotObservability(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<DrBotMetrics>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api/alerts", out var source))
            {
                await next(context);
                return;
            }
            var started = time.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                // Only the known webhooks as label values: a scanner's random paths must not grow the series.
                var name = source.Value?.Trim('/') is "alertmanager" or "azure-monitor" or "generic" ? source.Value.Trim('/') : "other";
                metrics.AlertIntake.WithLabels(name, context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Observe(time.GetElapsedTime(started).TotalSeconds);
            }
        });
        return app;
    }

    /// <summary>The registry's metrics, then the KPI figures computed from the store (src/Bot/Kpis), then the last pre-flight (src/Bot/Preflight).</summary>
    public static IEndpointRouteBuilder MapDrBotMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", async (HttpContext context, DrBotMetrics metrics, KpiService kpis, Preflight.PreflightService preflight, CancellationToken cancellationToken) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, cancellationToken);
            await context.Response.WriteAsync(KpiMetrics.Render((await kpis.ComputeAsync("all", cancellationToken)).Report!), cancellationToken);
            await context.Response.WriteAsync(Preflight.PreflightMetrics.Render(await preflight.LastAsync(cancellationToken)), cancellationToken);
        });
        return app;
    }
}
