using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

/// <summary>Where a reply that could not go into the acknowledgement goes: the request's response_url, or the channel.</summary>
public sealed record SlackReplyTarget(string? ResponseUrl, string ChannelId, string UserId, string? ThreadTs);

/// <summary>
/// Delivers a <see cref="ChatReply"/> after the acknowledgement: to Slack's <c>response_url</c>
/// (no token is sent there) or, when there is none or it fails, through the adapter.
/// </summary>
public sealed class SlackResponder(
    IHttpClientFactory clients,
    SlackChannelAdapter adapter,
    IOptions<SlackOptions> options,
    ILogger<SlackResponder> logger)
{
    public const string ClientName = "slack-response-url";

    public static JsonObject ResponseBody(ChatReply reply) => new()
    {
        ["response_type"] = reply.Private ? "ephemeral" : "in_channel",
        ["text"] = reply.Text,
    };

    public async Task SendAsync(ChatReply reply, SlackReplyTarget target, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reply.Text))
        {
            return;
        }
        if (await TryResponseUrlAsync(reply, target.ResponseUrl, cancellationToken))
        {
            return;
        }
        var card = CardDocument.Text(reply.Text);
        var result = reply.Private
            ? await adapter.PostPrivateAsync(target.ChannelId, target.UserId, card, cancellationToken)
            : await adapter.PostAsync(target.ChannelId, target.ThreadTs, card, cancellationToken);
        if (result.Status != DeliveryStatus.Delivered)
        {
            SlackLog.LateReplyFailed(logger, result.Error ?? result.Status.ToString());
        }
    }

    private async Task<bool> TryResponseUrlAsync(ChatReply reply, string? responseUrl, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(responseUrl) || !Uri.TryCreate(responseUrl, UriKind.Absolute, out var url))
        {
            return false;
        }
        if (!IsAllowed(url))
        {
            SlackLog.ResponseUrlRefused(logger, url.Host);
            return false;
        }
        var body = ResponseBody(reply);
        body["replace_original"] = false;
        try
        {
            using var response = await clients.CreateClient(ClientName).PostAsync(url, JsonContent.Create(body), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }
            SlackLog.LateReplyFailed(logger, $"response_url answered HTTP {(int)response.StatusCode}");
        }
        catch (HttpRequestException ex)
        {
            SlackLog.LateReplyFailed(logger, ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            SlackLog.LateReplyFailed(logger, "response_url timed out");
        }
        return false;
    }

    /// <summary>The URL came in a signed request, but only Slack's hosts ever get a reply (no blind posting elsewhere).</summary>
    private bool IsAllowed(Uri url)
    {
        var settings = options.Value;
        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
        {
            return false;
        }
        var apiBase = settings.ApiBase;
        if (string.Equals(url.Host, apiBase.Host, StringComparison.OrdinalIgnoreCase) && url.Port == apiBase.Port)
        {
            return true;
        }
        return url.Scheme == Uri.UriSchemeHttps
            && settings.ResponseUrlHosts.Any(host => string.Equals(host, url.Host, StringComparison.OrdinalIgnoreCase));
    }
}
