using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;

namespace DrBot.Bot.Channels.Teams.Connector;

/// <summary>What the Connector answered: the response body, or a delivery outcome saying retry or give up.</summary>
public sealed record ConnectorResult(JsonObject? Body, DeliveryResult? Failure)
{
    public bool Succeeded => Failure is null;
    public string? Id => Body?["id"]?.GetValue<string>();
}

/// <summary>
/// The Bot Framework Connector REST API, relative to a conversation's serviceUrl. Ids are escaped
/// (Teams ids hold ':', ';' and '@'); the bot's token goes only to https addresses under that
/// serviceUrl. 429 and 5xx answer "retry" (with Retry-After when given), other 4xx "give up".
/// </summary>
public sealed class ConnectorClient(IHttpClientFactory httpClientFactory, IBotTokenProvider tokens)
{
    public Task<ConnectorResult> SendAsync(string serviceUrl, string conversationId, JsonObject activity, CancellationToken cancellationToken) =>
        SendRawAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", activity, cancellationToken);

    public Task<ConnectorResult> ReplyAsync(string serviceUrl, string conversationId, string replyToId, JsonObject activity, CancellationToken cancellationToken) =>
        SendRawAsync(HttpMethod.Post, serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(replyToId)}", activity, cancellationToken);

    public Task<ConnectorResult> UpdateAsync(string serviceUrl, string conversationId, string activityId, JsonObject activity, CancellationToken cancellationToken) =>
        SendRawAsync(HttpMethod.Put, serviceUrl, $"v3/conversations/{Uri.EscapeDataString(conversationId)}/activities/{Uri.EscapeDataString(activityId)}", activity, cancellationToken);

    /// <summary>Starts a new conversation (a new post in a channel, or a 1:1 chat): answers <c>{id, activityId}</c>.</summary>
    public Task<ConnectorResult> CreateConversationAsync(string serviceUrl, JsonObject parameters, CancellationToken cancellationToken) =>
        SendRawAsync(HttpMethod.Post, serviceUrl, "v3/conversations", parameters, cancellationToken);

    private async Task<ConnectorResult> SendRawAsync(HttpMethod method, string serviceUrl, string relative, JsonObject body, CancellationToken cancellationToken)
    {
        if (!TryResolve(serviceUrl, relative, out var target))
        {
            return Fail(DeliveryResult.Permanent($"The serviceUrl '{serviceUrl}' is not an absolute https URL."));
        }

        string token;
        try
        {
            token = await tokens.GetTokenAsync(cancellationToken);
        }
        catch (MsalServiceException e)
        {
            return Fail(DeliveryResult.Retry($"No Connector token: {e.ErrorCode}."));
        }
        catch (MsalClientException e)
        {
            return Fail(DeliveryResult.Retry($"No Connector token: {e.ErrorCode}."));
        }
        catch (InvalidOperationException e)
        {
            return Fail(DeliveryResult.Permanent(e.Message));
        }

        using var request = new HttpRequestMessage(method, target) { Content = JsonContent.Create(body, options: TeamsJson.Options) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var client = httpClientFactory.CreateClient(TeamsHttp.ClientName);
            using var response = await client.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                return new ConnectorResult(ParseObject(text), null);
            }

            return Fail(Classify(response));
        }
        catch (HttpRequestException e)
        {
            return Fail(DeliveryResult.Retry($"Connector unreachable: {e.Message}"));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(DeliveryResult.Retry("Connector timed out."));
        }
    }

    private static bool TryResolve(string serviceUrl, string relative, out Uri target)
    {
        target = null!;
        if (!Uri.TryCreate(serviceUrl.EndsWith('/') ? serviceUrl : serviceUrl + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme != Uri.UriSchemeHttps)
        {
            return false;
        }

        target = new Uri(baseUri, relative);
        // The token must never leave the Connector's host, whatever the ids contain.
        return target.Scheme == Uri.UriSchemeHttps
            && string.Equals(target.Authority, baseUri.Authority, StringComparison.OrdinalIgnoreCase)
            && target.AbsolutePath.StartsWith(baseUri.AbsolutePath, StringComparison.Ordinal);
    }

    private static DeliveryResult Classify(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return DeliveryResult.Retry("Connector rate limit (429).", RetryAfter(response));
        }

        if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
        {
            return DeliveryResult.Retry($"Connector answered {status}.", RetryAfter(response));
        }

        return DeliveryResult.Permanent($"Connector refused the request ({status}).");
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date && response.Headers.Date is { } sent)
        {
            var wait = date - sent;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static JsonObject? ParseObject(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ConnectorResult Fail(DeliveryResult failure) => new(null, failure);
}
