using DrBot.Bot.Outbox;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Outbox;

namespace DrBot.Bot.Hosting;

/// <summary><c>/healthz</c>: is the store reachable. (<c>/metrics</c>: src/Bot/Observability.)</summary>
public static class HealthAndMetrics
{
    public static IEndpointRouteBuilder MapHealthAndMetrics(this IEndpointRouteBuilder app)
    {
        // Says ok or degraded and why in a word: no hosts, no exception text (they are in the log).
        app.MapGet("/healthz", async (IOutboxStore outbox, IIdempotencyStore idempotency, CancellationToken cancellationToken) =>
        {
            try
            {
                var backlog = await outbox.CountUndeliveredAsync(cancellationToken);
                var deadLetters = await new OutboxDeadLetters(idempotency).ListAsync(cancellationToken);
                return Results.Ok(new
                {
                    status = deadLetters.Count == 0 ? "ok" : "degraded",
                    outboxBacklog = backlog,
                    deadLetters = deadLetters.Select(d => new { d.Sequence, d.Channel, d.PostKey, d.Attempts, d.At }),
                });
            }
            catch (StoreUnavailableException)
            {
                return Results.Json(new { status = "degraded", store = "unreachable" }, statusCode: 503);
            }
        });
        return app;
    }
}
