using DrBot.Bot.Alerts.Parsing;
using DrBot.Runbooks.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Alerts.Intake;

/// <summary>
/// The alert webhooks: <c>POST /api/alerts/alertmanager</c>, <c>/api/alerts/azure-monitor</c>,
/// <c>/api/alerts/generic</c>. Order of checks: token (401), size (413), parse (400), then
/// dedup and the sink (200 <c>{"accepted":n,"duplicates":m}</c>). Refused requests store nothing.
/// </summary>
public static partial class AlertEndpoints
{
    /// <summary>What a refused sender is told to wait (seconds) before it retries: Alertmanager and Azure Monitor retry on 5xx anyway.</summary>
    private const string RetryAfterSeconds = "5";

    private delegate AlertParseResult Parser(ReadOnlySpan<byte> body, DateTimeOffset receivedAt);

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/alerts");
        group.MapPost("/alertmanager", Handler((body, _) => AlertmanagerParser.Parse(body)));
        group.MapPost("/azure-monitor", Handler((body, _) => AzureMonitorParser.Parse(body)));
        group.MapPost("/generic", Handler(GenericAlertParser.Parse));
        return endpoints;
    }

    private static RequestDelegate Handler(Parser parse) => async context =>
    {
        var result = await HandleAsync(context, parse);
        await result.ExecuteAsync(context);
    };

    private static async Task<IResult> HandleAsync(HttpContext context, Parser parse)
    {
        var services = context.RequestServices;
        var auth = services.GetRequiredService<AlertWebhookAuth>();
        var logger = services.GetRequiredService<ILogger<AlertIntake>>();
        var path = context.Request.Path.Value ?? "";

        if (auth.Refusal(context.Request) is { } refusal)
        {
            LogRefused(logger, path, auth.IsConfigured ? "bad or missing token" : "no token configured");
            return TypedResults.Problem(refusal, statusCode: StatusCodes.Status401Unauthorized, title: "Alert webhook token required");
        }

        if (auth.FirstQueryTokenUse(context.Request))
            LogQueryTokenDeprecated(logger);

        var options = services.GetRequiredService<IOptions<AlertIntakeOptions>>().Value;
        var body = await AlertBodyReader.ReadAsync(context.Request, options.MaxBodyBytes, context.RequestAborted);
        if (body is not { } read)
        {
            LogRefused(logger, path, "body too large");
            return TypedResults.Problem(
                $"the body is larger than {options.MaxBodyBytes} bytes ({AlertIntakeOptions.Section}:MaxBodyBytes); send fewer alerts per request",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Alert body too large");
        }

        AlertParseResult parsed;
        try
        {
            parsed = parse(read.Buffer.AsSpan(0, read.Length), services.GetRequiredService<TimeProvider>().GetUtcNow());
        }
        finally
        {
            AlertBodyReader.Return(read.Buffer);
        }
        if (parsed.Error is { } error)
        {
            LogRefused(logger, path, error.ToString());
            var problem = TypedResults.Problem($"{error.Field} {error.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Alert body refused");
            problem.ProblemDetails.Extensions["field"] = error.Field;
            return problem;
        }

        try
        {
            var summary = await services.GetRequiredService<AlertIntake>().AcceptAsync(parsed.Alerts, context.RequestAborted);
            return TypedResults.Json(summary, AlertJsonContext.Default.AlertIntakeSummary);
        }
        catch (AlertIntakeFullException ex)
        {
            LogRefused(logger, path, ex.Message);
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Alert intake full");
        }
        catch (StoreUnavailableException ex)
        {
            LogRefused(logger, path, "store unavailable");
            LogStoreUnavailable(logger, ex);
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            return TypedResults.Problem("the bot's store is unavailable; nothing was accepted, retry later",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Alert intake unavailable");
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The intake failed (logged there) and kept nothing; 5xx makes Alertmanager retry, and the retry is accepted.
            return TypedResults.Problem($"the alerts could not be handled ({ex.GetType().Name}); retry the delivery",
                statusCode: StatusCodes.Status500InternalServerError, title: "Alert handling failed");
        }
    }

    [LoggerMessage(EventId = HostLogEvents.AlertIntakeStoreUnavailable, Level = LogLevel.Error, Message = "Alert intake: store unavailable")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = HostLogEvents.AlertQueryTokenDeprecated, Level = LogLevel.Warning, Message = "An alert webhook sent its token as ?token= in the URL, where proxies and access logs keep it. It still works but is deprecated: send 'Authorization: Bearer <token>' instead")]
    private static partial void LogQueryTokenDeprecated(ILogger logger);

    [LoggerMessage(EventId = HostLogEvents.AlertWebhookRefused, Level = LogLevel.Warning, Message = "Alert webhook {Path} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string path, string reason);
}
