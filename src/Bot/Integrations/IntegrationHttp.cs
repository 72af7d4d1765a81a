using System.Globalization;
using System.Net;
using DrBot.Bot.Channels;

namespace DrBot.Bot.Integrations;

/// <summary>
/// One HTTP call of an integration, answered as an outbox delivery result: 2xx delivered; 429, 408
/// and 5xx retried (after the service's Retry-After when it sends one); any other 4xx is a request
/// the service will never take (bad key, bad shape), so it is dropped with the service's answer
/// logged rather than block the queue behind it.
/// </summary>
public static class IntegrationHttp
{
    private const int MaxErrorChars = 500;

    public static async Task<DeliveryResult> SendAsync(HttpClient client, HttpRequestMessage request, TimeProvider time, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return Classify(request, response, body, time);
    }

    /// <summary>The delivery result of an answer already read.</summary>
    public static DeliveryResult Classify(HttpRequestMessage request, HttpResponseMessage response, string body, TimeProvider time)
    {
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
            return DeliveryResult.Delivered(string.IsNullOrEmpty(body) ? status.ToString(CultureInfo.InvariantCulture) : Trim(body));
        var error = $"{request.Method} {request.RequestUri?.AbsolutePath} answered {status}: {Trim(body)}";
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || status >= 500)
            return DeliveryResult.Retry(error, RetryAfter(response, time));
        return DeliveryResult.Permanent(error);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        if (response.Headers.RetryAfter is not { } retry)
            return null;
        if (retry.Delta is { } delta)
            return delta;
        return retry.Date is { } date && date > time.GetUtcNow() ? date - time.GetUtcNow() : null;
    }

    private static string Trim(string text) => text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
}
