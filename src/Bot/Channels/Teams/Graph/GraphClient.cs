using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace DrBot.Bot.Channels.Teams.Graph;

/// <summary>What Graph answered: the status and body, or (status 0) why no answer came.</summary>
public sealed record GraphAnswer(int Status, JsonNode? Body, string Error)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>Worth another try later: throttled, Graph down, or no answer at all.</summary>
    public bool Transient => Status is 0 or 408 or 429 or >= 500;

    /// <summary>The app may not do this: a permission not granted (403) or credentials refused (401).</summary>
    public bool Refused => Status is 401 or 403;
}

/// <summary>
/// Microsoft Graph over HTTP with an app-only bearer token, relative to <c>DrBot:Teams:Graph:BaseUrl</c>.
/// Errors are read from Graph's <c>{"error":{"code","message"}}</c> body; a token the authority
/// refuses (bad secret, app not consented) counts as refused, a token that could not be fetched as transient.
/// </summary>
public sealed class GraphClient(IHttpClientFactory clients, GraphTokens tokens, IOptions<TeamsGraphOptions> options)
{
    public const string ClientName = "DrBot.Graph";
    private const int MaxErrorChars = 300;

    public async Task<GraphAnswer> SendAsync(HttpMethod method, string relativePath, JsonObject? body, CancellationToken cancellationToken)
    {
        string token;
        try
        {
            token = await tokens.GetTokenAsync(cancellationToken);
        }
        catch (MsalServiceException e) when (e.StatusCode is 400 or 401 or 403)
        {
            return new GraphAnswer(401, null, $"the token authority refused the app ({e.ErrorCode})");
        }
        catch (MsalException e)
        {
            return new GraphAnswer(0, null, $"no Graph token ({e.ErrorCode})");
        }
        catch (HttpRequestException e)
        {
            return new GraphAnswer(0, null, $"no Graph token ({e.Message})");
        }

        using var request = new HttpRequestMessage(method, new Uri(options.Value.BaseUrl, relativePath));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            request.Content = JsonContent.Create(body);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = Parse(text);
            var status = (int)response.StatusCode;
            return new GraphAnswer(status, json, response.IsSuccessStatusCode ? "" : Describe(method, relativePath, status, json, text));
        }
        catch (HttpRequestException e)
        {
            return new GraphAnswer(0, null, $"{method} {relativePath}: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new GraphAnswer(0, null, $"{method} {relativePath}: no answer in time");
        }
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(HttpMethod method, string path, int status, JsonNode? json, string text)
    {
        var error = json?["error"];
        var detail = error is null ? text : $"{(string?)error["code"]}: {(string?)error["message"]}";
        if (detail.Length > MaxErrorChars)
            detail = detail[..MaxErrorChars] + "…";
        return $"{method} {path.Split('?')[0]} answered {status} {detail}".TrimEnd();
    }
}
