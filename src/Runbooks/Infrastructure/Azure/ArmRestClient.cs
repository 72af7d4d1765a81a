using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using DrBot.Runbooks.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace DrBot.Runbooks.Infrastructure.Azure;

/// <summary>An ARM answer: status, JSON body, and ARM's error code/message when it failed.</summary>
public sealed record ArmResult(int Status, JsonNode? Body, string? ErrorCode, string? ErrorMessage)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>403/404 are permanent and say what is wrong; 409 (operation in progress), 429 and 5xx are transient.</summary>
    public InfraActionResult ToFailure(string what)
    {
        var error = ErrorCode is null ? "" : $" {ErrorCode}: {ErrorMessage}";
        return Status switch
        {
            401 or 403 => InfraActionResult.Failed($"{what}: Azure refused ({Status}{error}); the bot's identity lacks the role for this action."),
            404 => InfraActionResult.Failed($"{what}: not found in Azure ({Status}{error}); check the configured resource id."),
            409 or 429 or >= 500 => InfraActionResult.Failed($"{what}: Azure answered {Status}{error}.", transient: true),
            _ => InfraActionResult.Failed($"{what}: Azure answered {Status}{error}."),
        };
    }
}

/// <summary>
/// Raw ARM REST calls through the <see cref="ArmClient"/>'s own pipeline (authentication, diagnostics),
/// retried under the shared <see cref="ClassifiedRetry"/> policy on 408/429/5xx (honouring Retry-After)
/// and on no answer at all, for the few operations whose resource-specific SDK packages we do not use. Long-running operations are followed through Azure-AsyncOperation or
/// Location until they end.
/// </summary>
public sealed class ArmRestClient
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;
    private readonly AzureArmOptions _options;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<(ArmResult, PollHeaders)> _retry;

    public ArmRestClient(ArmClient client, IOptions<AzureArmOptions> options, TimeProvider time)
    {
        var access = new PipelineAccess(client);
        _pipeline = access.Http;
        _endpoint = access.BaseUri;
        _options = options.Value;
        _time = time;
        _retry = ClassifiedRetry.ForOutcomes<(ArmResult, PollHeaders)>(
            new RetrySettings(_options.MaxRetries, _options.RetryDelay, TimeSpan.FromSeconds(30)),
            (answer, exception) => Classify(answer.Item1, answer.Item2, exception), time);
    }

    /// <summary>408, 429 and 5xx (after the server's Retry-After) and no answer at all are worth another attempt; 4xx are not.</summary>
    private static RetryVerdict Classify(ArmResult? result, PollHeaders? headers, Exception? exception) => exception switch
    {
        RequestFailedException { Status: 0 } or IOException or HttpRequestException => RetryVerdict.Retry(),
        not null => RetryVerdict.Permanent,
        _ when result?.Status is 408 or 429 or 500 or 502 or 503 or 504 => RetryVerdict.Retry(headers?.RetryAfter),
        _ => RetryVerdict.Permanent,
    };

    /// <summary>An ArmClient for the configured endpoint; <paramref name="transport"/> lets tests talk to a local server.</summary>
    public static ArmClient CreateClient(AzureArmOptions options, TokenCredential credential, HttpPipelineTransport? transport = null)
    {
        if (options.ArmEndpoint.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"DrBot:Azure:ArmEndpoint must be https (got {options.ArmEndpoint.Scheme}); bearer tokens are never sent in clear.", nameof(options));
        var armOptions = new ArmClientOptions { Environment = new ArmEnvironment(options.ArmEndpoint, options.Audience) };
        // Retries are ArmRestClient's own classified policy (on our clock), not the SDK's.
        armOptions.Retry.MaxRetries = 0;
        if (transport is not null) armOptions.Transport = transport;
        return new ArmClient(credential, defaultSubscriptionId: null, armOptions);
    }

    public async Task<ArmResult> SendAsync(RequestMethod method, string resourcePath, string apiVersion, JsonNode? body, CancellationToken cancellationToken)
    {
        var uri = new RequestUriBuilder();
        uri.Reset(_endpoint);
        uri.AppendPath(resourcePath, escape: false);
        uri.AppendQuery("api-version", apiVersion, escapeValue: true);
        var (result, _) = await SendRawAsync(method, uri.ToUri(), body, cancellationToken);
        return result;
    }

    /// <summary>Sends, then follows a 201/202 long-running operation to its end (or the operation timeout).</summary>
    public async Task<ArmResult> SendAndWaitAsync(RequestMethod method, string resourcePath, string apiVersion, JsonNode? body, CancellationToken cancellationToken)
    {
        var uri = new RequestUriBuilder();
        uri.Reset(_endpoint);
        uri.AppendPath(resourcePath, escape: false);
        uri.AppendQuery("api-version", apiVersion, escapeValue: true);
        var (first, headers) = await SendRawAsync(method, uri.ToUri(), body, cancellationToken);
        if (!first.IsSuccess) return first;
        var asyncOperation = headers.AsyncOperation;
        var location = headers.Location;
        if (first.Status is not (201 or 202) && asyncOperation is null) return first;
        if (asyncOperation is null && location is null) return first;

        using var timeout = new CancellationTokenSource(_options.OperationTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var delay = headers.RetryAfter ?? _options.PollInterval;
        try
        {
            while (true)
            {
                await Task.Delay(delay, _time, linked.Token);
                var pollUri = EnsureSameHost(asyncOperation ?? location!);
                var (poll, pollHeaders) = await SendRawAsync(RequestMethod.Get, pollUri, null, linked.Token);
                delay = pollHeaders.RetryAfter ?? _options.PollInterval;
                if (!poll.IsSuccess) return poll;
                if (asyncOperation is not null)
                {
                    var status = poll.Body?["status"]?.GetValue<string>();
                    if (string.Equals(status, "Succeeded", StringComparison.OrdinalIgnoreCase)) return poll;
                    if (status is "Failed" or "Canceled" or "Cancelled")
                        return new ArmResult(500, poll.Body, poll.Body?["error"]?["code"]?.GetValue<string>() ?? $"Operation{status}",
                            poll.Body?["error"]?["message"]?.GetValue<string>() ?? $"the long-running operation ended {status}");
                }
                else if (poll.Status != 202)
                {
                    return poll;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new ArmResult(504, null, "OperationTimedOut", $"the operation did not finish within {_options.OperationTimeout}");
        }
    }

    /// <summary>The token goes wherever we poll: only ever to the ARM endpoint we were configured with.</summary>
    private Uri EnsureSameHost(Uri poll) =>
        poll.Scheme == _endpoint.Scheme && string.Equals(poll.Authority, _endpoint.Authority, StringComparison.OrdinalIgnoreCase)
            ? poll
            : throw new InvalidOperationException($"refusing to poll {poll.Authority}: long-running operation URLs must stay on {_endpoint.Authority}");

    private sealed record PollHeaders(Uri? AsyncOperation, Uri? Location, TimeSpan? RetryAfter);

    private async Task<(ArmResult, PollHeaders)> SendRawAsync(RequestMethod method, Uri uri, JsonNode? body, CancellationToken cancellationToken) =>
        await _retry.ExecuteAsync(
            static async (state, token) => await state.Self.SendOnceAsync(state.method, state.uri, state.body, token),
            (Self: this, method, uri, body),
            cancellationToken);

    private async Task<(ArmResult, PollHeaders)> SendOnceAsync(RequestMethod method, Uri uri, JsonNode? body, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        }
        else if (method == RequestMethod.Post)
        {
            request.Content = RequestContent.Create(BinaryData.FromString(""));
        }
        await _pipeline.SendAsync(message, cancellationToken);
        var response = message.Response;
        JsonNode? json = null;
        var text = response.Content?.ToString();
        if (!string.IsNullOrWhiteSpace(text))
        {
            try { json = JsonNode.Parse(text); }
            catch (System.Text.Json.JsonException) { json = null; }
        }
        var headers = new PollHeaders(
            response.Headers.TryGetValue("Azure-AsyncOperation", out var ao) ? new Uri(ao) : null,
            response.Headers.TryGetValue("Location", out var loc) ? new Uri(loc) : null,
            response.Headers.TryGetValue("Retry-After", out var ra) && int.TryParse(ra, out var seconds) ? TimeSpan.FromSeconds(seconds) : null);
        var error = json?["error"];
        return (new ArmResult(response.Status, json, error?["code"]?.GetValue<string>(), error?["message"]?.GetValue<string>()), headers);
    }

    /// <summary>ArmResource exposes the client's pipeline and endpoint to derived types, as the resource SDKs use them.</summary>
    private sealed class PipelineAccess(ArmClient client) : ArmResource(client, ResourceIdentifier.Root)
    {
        public HttpPipeline Http => Pipeline;
        public Uri BaseUri => Endpoint;
    }
}
