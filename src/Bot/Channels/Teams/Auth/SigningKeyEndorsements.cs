using System.Net.Http.Json;
using System.Text.Json;

namespace DrBot.Bot.Channels.Teams.Auth;

/// <summary>
/// The <c>endorsements</c> of each signing key (the channels a key may sign for), read from the
/// raw key set because the IdentityModel key objects drop that field. Cached by key id; fetched
/// again when the cache is a day old or when a key is not in it. Only a token whose signature
/// already verified against the published keys gets here, so an unknown key id means a real
/// rollover, not an attacker making us fetch.
/// </summary>
public sealed class SigningKeyEndorsements(IHttpClientFactory httpClientFactory, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private Dictionary<string, string[]> _byKid = new(StringComparer.Ordinal);
    private string? _jwksUri;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    /// <summary>The key's endorsements (empty when it has none), or null when the key is not in the key set.</summary>
    public async Task<IReadOnlyList<string>?> GetAsync(string jwksUri, string kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var cached = _jwksUri == jwksUri ? _byKid : null;
        if (cached is not null && now - _fetchedAt < MaxAge && cached.TryGetValue(kid, out var known))
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var stale = _jwksUri != jwksUri || now - _fetchedAt >= MaxAge;
            if (stale || !_byKid.ContainsKey(kid))
            {
                _byKid = await FetchAsync(jwksUri, cancellationToken);
                _jwksUri = jwksUri;
                _fetchedAt = time.GetUtcNow();
            }

            return _byKid.TryGetValue(kid, out var endorsements) ? endorsements : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Dictionary<string, string[]>> FetchAsync(string jwksUri, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(jwksUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"The key set address '{jwksUri}' is not an https URL.");
        }

        using var client = httpClientFactory.CreateClient(TeamsHttp.ClientName);
        using var document = await client.GetFromJsonAsync<JsonDocument>(uri, cancellationToken)
            ?? throw new InvalidOperationException("The key set is empty.");
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var key in keys.EnumerateArray())
        {
            if (!key.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var endorsements = key.TryGetProperty("endorsements", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                : [];
            result[kid.GetString()!] = endorsements;
        }

        return result;
    }
}
