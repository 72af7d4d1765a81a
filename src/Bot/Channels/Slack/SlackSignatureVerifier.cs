using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

public enum SlackSignatureCheck
{
    Valid,
    NoSecretConfigured,
    MissingHeaders,
    MalformedTimestamp,
    StaleTimestamp,
    MalformedSignature,
    SignatureMismatch,
}

/// <summary>
/// Slack's v0 request signature: <c>v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{rawBody}"))</c>,
/// compared in constant time, with the timestamp within the replay window. Fails closed: no secret
/// configured refuses everything.
/// </summary>
public sealed class SlackSignatureVerifier(IOptions<SlackOptions> options, TimeProvider time)
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";
    private const string Version = "v0";

    public SlackSignatureCheck Verify(string? timestamp, string? signature, ReadOnlySpan<byte> rawBody)
    {
        var secret = options.Value.SigningSecret;
        if (string.IsNullOrEmpty(secret))
        {
            return SlackSignatureCheck.NoSecretConfigured;
        }
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SlackSignatureCheck.MissingHeaders;
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SlackSignatureCheck.MalformedTimestamp;
        }
        var age = time.GetUtcNow().ToUnixTimeSeconds() - seconds;
        if (Math.Abs(age) > options.Value.SignatureMaxAge.TotalSeconds)
        {
            return SlackSignatureCheck.StaleTimestamp;
        }
        if (!signature.StartsWith(Version + "=", StringComparison.Ordinal))
        {
            return SlackSignatureCheck.MalformedSignature;
        }
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signature.AsSpan(Version.Length + 1));
        }
        catch (FormatException)
        {
            return SlackSignatureCheck.MalformedSignature;
        }
        var expected = Compute(secret, timestamp, rawBody);
        return CryptographicOperations.FixedTimeEquals(expected, presented)
            ? SlackSignatureCheck.Valid
            : SlackSignatureCheck.SignatureMismatch;
    }

    /// <summary>The raw HMAC of a request (also used by tests and tools to sign requests).</summary>
    public static byte[] Compute(string secret, string timestamp, ReadOnlySpan<byte> rawBody)
    {
        var prefix = Encoding.UTF8.GetBytes($"{Version}:{timestamp}:");
        var message = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(message, 0);
        rawBody.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
    }

    /// <summary>The <c>X-Slack-Signature</c> header value for a request.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> rawBody) =>
        $"{Version}=" + Convert.ToHexStringLower(Compute(secret, timestamp, rawBody));
}
