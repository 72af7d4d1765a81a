using System.Net;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Resilience;
using k8s.Autorest;
using Polly;

namespace DrBot.Runbooks.Infrastructure.Kubernetes;

/// <summary>
/// Retries a Kubernetes API call answered 429/5xx (honouring Retry-After) or not answered at all, under
/// the shared <see cref="ClassifiedRetry"/> policy; turns what is left into clear errors. Only
/// idempotent calls go through here (reads, and patches that set an absolute value).
/// </summary>
internal sealed class KubernetesRetry(LiveInfrastructureOptions options, TimeProvider time)
{
    private readonly ResiliencePipeline _retry = ClassifiedRetry.ForExceptions(
        new RetrySettings(options.KubernetesRetries, options.KubernetesRetryDelay), Classify, time);

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await _retry.ExecuteAsync(static async (call, token) => await call(token), call, cancellationToken);

    /// <summary>429 and 5xx (after the server's Retry-After) and no answer at all are worth another attempt; the rest is not.</summary>
    public static RetryVerdict Classify(Exception e) => e switch
    {
        HttpOperationException h when IsRetryable(h.Response.StatusCode) => RetryVerdict.Retry(RetryAfter(h)),
        HttpRequestException => RetryVerdict.Retry(),
        _ => RetryVerdict.Permanent,
    };

    /// <summary>403, 401 and 404 do not pass by themselves: the configuration (or RBAC) must change.</summary>
    public static bool IsPermanent(HttpOperationException e) =>
        e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized;

    private static string Keys(string? region) => region is null
        ? ""
        : $" — check DrBot:Regions:{region}:Cluster:Namespace, Cluster:ApplicationDeployment and Cluster:KubeConfigPath/Context (or the credentials' RBAC).";

    public static bool IsRetryable(HttpStatusCode status) => (int)status is 429 or 500 or 502 or 503 or 504;

    /// <summary>A step outcome from what the API server said: 403/404 permanent and explained; 409/429/5xx/no answer transient.</summary>
    public static InfraActionResult Failure(string what, Exception e, string? region = null) => e switch
    {
        HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } h =>
            InfraActionResult.Failed($"{what}: the Kubernetes API refused ({(int)h.Response.StatusCode}); the credentials lack RBAC for this. {Reason(h)}{Keys(region)}"),
        HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound } h =>
            InfraActionResult.Failed($"{what}: not found (404). {Reason(h)}{Keys(region)}"),
        HttpOperationException h when IsRetryable(h.Response.StatusCode) || h.Response.StatusCode == HttpStatusCode.Conflict =>
            InfraActionResult.Failed($"{what}: the Kubernetes API answered {(int)h.Response.StatusCode} after retries. {Reason(h)}", transient: true),
        HttpOperationException h => InfraActionResult.Failed($"{what}: the Kubernetes API answered {(int)h.Response.StatusCode}. {Reason(h)}"),
        InfrastructureNotConfiguredException => InfraActionResult.Failed($"{what}: {e.Message}"),
        _ => InfraActionResult.Failed($"{what}: Kubernetes API unreachable ({Chain(e)}).", transient: true),
    };

    public static bool IsKubernetesFailure(Exception e) =>
        e is HttpOperationException or HttpRequestException or IOException or InfrastructureNotConfiguredException
            or k8s.Exceptions.KubeConfigException or k8s.Exceptions.KubernetesClientException or TaskCanceledException { CancellationToken.IsCancellationRequested: false };

    private static string Chain(Exception e) =>
        string.Join(": ", Enumerable.Repeat(0, 4).Aggregate((List: new List<string>(), Next: (Exception?)e), (acc, _) =>
        {
            if (acc.Next is not null) acc.List.Add(acc.Next.Message);
            return (acc.List, acc.Next?.InnerException);
        }).List.Distinct());

    /// <summary>The Status object's message (<c>deployments.apps "x" not found</c>), short.</summary>
    private static string Reason(HttpOperationException e)
    {
        var body = e.Response.Content ?? "";
        try
        {
            var message = System.Text.Json.Nodes.JsonNode.Parse(body)?["message"]?.GetValue<string>();
            if (message is not null) return message;
        }
        catch (System.Text.Json.JsonException) { }
        return body.Length > 200 ? body[..200] : body;
    }

    private static TimeSpan? RetryAfter(HttpOperationException e) =>
        e.Response.Headers.TryGetValue("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), out var s) ? TimeSpan.FromSeconds(s) : null;
}
