using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace DrBot.Bot.Alerts.Intake;

/// <summary>
/// Checks the webhook's shared secret. Fails closed: no configured token refuses everything.
/// Both sides are hashed before the fixed-time compare so neither content nor length leaks.
/// </summary>
internal sealed class AlertWebhookAuth
{
    private readonly byte[]? _expectedHash;

    public AlertWebhookAuth(string? token)
    {
        _expectedHash = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public bool IsConfigured => _expectedHash is not null;

    /// <summary>Null when the request carries the token; otherwise why it is refused (never echoing the token).</summary>
    public string? Refusal(HttpRequest request)
    {
        if (_expectedHash is null)
        {
            return $"alert intake is disabled until a token is configured: set {AlertIntakeOptions.Section}:Token (environment DrBot__Alerts__Token) and send it as 'Authorization: Bearer <token>' or '?token=<token>'";
        }
        var presented = Presented(request);
        if (presented is null)
        {
            return "missing token: send 'Authorization: Bearer <token>' or '?token=<token>'";
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _expectedHash) ? null : "the token is not valid";
    }

    private int _queryTokenSeen;

    /// <summary>
    /// True only for the first accepted request that sent the token in the URL (<c>?token=</c>), which
    /// ends up in proxy and access logs: it still works, and the caller warns once that it is deprecated.
    /// </summary>
    public bool FirstQueryTokenUse(HttpRequest request) =>
        request.Headers.Authorization.Count == 0 && request.Query.ContainsKey("token")
        && Interlocked.Exchange(ref _queryTokenSeen, 1) == 0;

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && header.Length > Bearer.Length)
        {
            return header[Bearer.Length..].Trim();
        }
        var query = request.Query["token"].ToString();
        return query.Length > 0 ? query : null;
    }
}
