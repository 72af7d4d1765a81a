using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Hosting;

/// <summary><c>/healthz</c>: is the store reachable. (<c>/metrics</c>: src/Bot/Observability.)</summary>
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
        return app;
    }
}
