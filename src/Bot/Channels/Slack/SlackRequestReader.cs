using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// Reads a Slack request's raw body and verifies its signature before anything parses it: a request
/// that fails gets a 401 and is only logged.
/// </summary>
public sealed class SlackRequestReader(SlackSignatureVerifier verifier, ILogger<SlackRequestReader> logger)
{
    /// <summary>Slack's payloads are small; a click carries the whole message, still far below this.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public async Task<(byte[]? Body, IResult? Refusal)> ReadVerifiedAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                detail: $"Slack requests are at most {MaxBodyBytes} bytes."));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                    detail: $"Slack requests are at most {MaxBodyBytes} bytes."));
            }
            buffer.Write(chunk, 0, read);
        }
        var body = buffer.ToArray();
        var check = verifier.Verify(
            request.Headers[SlackSignatureVerifier.TimestampHeader].ToString(),
            request.Headers[SlackSignatureVerifier.SignatureHeader].ToString(),
            body);
        if (check == SlackSignatureCheck.Valid)
        {
            return (body, null);
        }
        SlackLog.RequestRefused(logger, request.Path, check);
        return (null, TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Slack request signature refused",
            detail: Explain(check)));
    }

    private static string Explain(SlackSignatureCheck check) => check switch
    {
        SlackSignatureCheck.NoSecretConfigured => "No Slack signing secret is configured (DrBot:Slack:SigningSecret), so no request is accepted.",
        SlackSignatureCheck.MissingHeaders => "X-Slack-Signature and X-Slack-Request-Timestamp are both required.",
        SlackSignatureCheck.MalformedTimestamp => "X-Slack-Request-Timestamp must be Unix seconds.",
        SlackSignatureCheck.StaleTimestamp => "The request timestamp is more than 5 minutes from now (possible replay).",
        SlackSignatureCheck.MalformedSignature => "X-Slack-Signature must be 'v0=' followed by a hex HMAC-SHA256.",
        _ => "The signature does not match the request body.",
    };
}
