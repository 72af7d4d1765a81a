using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

/// <summary>A Web API answer: the JSON body when <c>ok</c>, otherwise how to treat the failure.</summary>
public sealed record SlackApiResult(JsonObject? Body, DeliveryResult? Failure, string? Error)
{
    public bool Ok => Failure is null;

    public string? Get(string name) => Body?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}

/// <summary>
/// Slack's Web API over HTTP: <c>POST {ApiBaseUrl}{method}</c> with the bot token. Classifies
/// failures for the outbox: 429 (with Retry-After), 5xx, network errors and Slack's transient
/// <c>ok:false</c> errors retry; every other <c>ok:false</c> is permanent.
/// </summary>
public sealed class SlackWebApi(IHttpClientFactory clients, IOptions<SlackOptions> options, TimeProvider time, ILogger<SlackWebApi> logger)
{
    public const string ClientName = "slack-web-api";

    private static readonly HashSet<string> TransientErrors =
        ["ratelimited", "rate_limited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"];

    /// <summary>Write methods take a JSON body.</summary>
    public Task<SlackApiResult> CallAsync(string method, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(method, () => JsonContent.Create(body), cancellationToken);

    /// <summary>Read methods such as <c>users.info</c> accept form bodies only.</summary>
    public Task<SlackApiResult> CallFormAsync(string method, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken) =>
        SendAsync(method, () => new FormUrlEncodedContent(form), cancellationToken);

    private async Task<SlackApiResult> SendAsync(string method, Func<HttpContent> content, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrWhiteSpace(settings.BotToken))
        {
            return Fail(method, "not_configured", DeliveryResult.Permanent("Slack bot token is not configured (DrBot:Slack:BotToken)"));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.ApiBase, method)) { Content = content() };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.BotToken);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var wait = RetryAfter(response.Headers.RetryAfter) ?? TimeSpan.FromSeconds(1);
                return Transient(method, $"HTTP 429, retry after {wait.TotalSeconds:0} s", wait);
            }
            if ((int)response.StatusCode >= 500)
            {
                return Transient(method, $"HTTP {(int)response.StatusCode}", RetryAfter(response.Headers.RetryAfter));
            }
            if (!response.IsSuccessStatusCode)
            {
                return Fail(method, $"http_{(int)response.StatusCode}", DeliveryResult.Permanent($"{method}: HTTP {(int)response.StatusCode}"));
            }
            var body = await ReadBodyAsync(response, cancellationToken);
            if (body is null)
            {
                return Transient(method, "the answer was not JSON", null);
            }
            if (body["ok"]?.GetValueKind() == JsonValueKind.True)
            {
                return new SlackApiResult(body, null, null);
            }
            var error = body["error"]?.GetValueKind() == JsonValueKind.String ? body["error"]!.GetValue<string>() : "unknown_error";
            SlackLog.ApiError(logger, method, error);
            return TransientErrors.Contains(error)
                ? new SlackApiResult(body, DeliveryResult.Retry($"{method}: {error}", RetryAfter(response.Headers.RetryAfter)), error)
                : new SlackApiResult(body, DeliveryResult.Permanent($"{method}: {error}"), error);
        }
        catch (HttpRequestException ex)
        {
            return Transient(method, ex.Message, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Transient(method, "timed out", null);
        }
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };

    private SlackApiResult Transient(string method, string reason, TimeSpan? retryAfter)
    {
        SlackLog.ApiTransient(logger, method, reason);
        return new SlackApiResult(null, DeliveryResult.Retry($"{method}: {reason}", retryAfter), reason);
    }

    private static SlackApiResult Fail(string method, string error, DeliveryResult result) => new(null, result, error);
}
