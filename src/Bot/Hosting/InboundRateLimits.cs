using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace DrBot.Bot.Hosting;

/// <summary>
/// ASP.NET Core's rate limiter on every inbound endpoint: a fixed window per source IP on
/// <c>/api/*</c> (Slack, Teams, alerts, the local chat) and a cap on concurrent local event
/// streams. A refusal is <c>429</c> with <c>Retry-After</c> and says which setting applies.
/// </summary>
public static class InboundRateLimits
{
    public const string Section = "DrBot:RateLimits";
    public const string EventStreamPolicy = "local-event-streams";

    public static IServiceCollection AddInboundRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var perIp = Math.Max(1, configuration.GetValue($"{Section}:PerIpPerSecond", 2000));
        var streams = Math.Max(1, configuration.GetValue($"{Section}:EventStreams", 20));
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments("/api")
                    ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = perIp, Window = TimeSpan.FromSeconds(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter(""));
            options.AddConcurrencyLimiter(EventStreamPolicy, limiter =>
            {
                limiter.PermitLimit = streams;
                limiter.QueueLimit = 0;
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : 1;
                var response = rejected.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var detail = rejected.HttpContext.Request.Path.StartsWithSegments("/api/local/events")
                    ? $"at most {streams} event streams at once ({Section}:EventStreams); close another tab or retry after {seconds} s"
                    : $"at most {perIp} requests per second from one address ({Section}:PerIpPerSecond); retry after {seconds} s";
                await response.WriteAsJsonAsync(new { title = "Too many requests", status = 429, detail }, cancellationToken);
            };
        });
        return services;
    }
}
