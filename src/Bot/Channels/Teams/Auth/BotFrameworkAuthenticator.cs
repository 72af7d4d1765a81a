using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DrBot.Bot.Channels.Teams.Auth;

/// <summary>Whether an inbound call may be processed, and if not, why and with which HTTP status.</summary>
public sealed record AuthenticationResult(bool Succeeded, int StatusCode, string Reason)
{
    public static readonly AuthenticationResult Success = new(true, 200, "ok");
    public static AuthenticationResult Unauthorized(string reason) => new(false, 401, reason);
    public static AuthenticationResult Forbidden(string reason) => new(false, 403, reason);
}

/// <summary>
/// Validates the Bot Framework's <c>Authorization: Bearer</c> token on <c>POST /api/messages</c>:
/// signature against the OpenID metadata's keys, issuer, audience = app id, lifetime with 5 minutes
/// of skew, RS256/384/512 only, the <c>serviceurl</c> claim equal to the activity's serviceUrl, and
/// the signing key's endorsements containing the activity's channel. Fails closed; there is no
/// switch that turns any of it off.
/// </summary>
public sealed class BotFrameworkAuthenticator
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512];

    /// <summary>How often a token naming an unknown key may make us fetch the keys again.</summary>
    private static readonly TimeSpan MinForcedFetchGap = TimeSpan.FromSeconds(30);

    private readonly TeamsOptions _options;
    private readonly HttpDocumentRetriever _retriever;
    private readonly IConfigurationManager<OpenIdConnectConfiguration> _metadata;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _forcedFetchGate = new(1, 1);
    private OpenIdConnectConfiguration? _forced;
    private DateTimeOffset _lastForcedFetch = DateTimeOffset.MinValue;
    private readonly SigningKeyEndorsements _endorsements;
    private readonly JsonWebTokenHandler _handler = new();

    private readonly ILogger<BotFrameworkAuthenticator>? _logger;

    public BotFrameworkAuthenticator(IOptions<TeamsOptions> options, IHttpClientFactory httpClientFactory, SigningKeyEndorsements endorsements, TimeProvider time,
        ILogger<BotFrameworkAuthenticator>? logger = null)
    {
        _logger = logger;
        _options = options.Value;
        _endorsements = endorsements;
        _time = time;
        _retriever = new HttpDocumentRetriever(httpClientFactory.CreateClient(TeamsHttp.ClientName)) { RequireHttps = true };
        _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(_options.OpenIdMetadataUrl, new OpenIdConnectConfigurationRetriever(), _retriever)
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(24),
        };
    }

    public async Task<AuthenticationResult> AuthenticateAsync(string? authorizationHeader, string? serviceUrl, string? channelId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_options.AppId))
        {
            return AuthenticationResult.Unauthorized("The bot has no app id configured (DrBot:Teams:AppId): every call is refused.");
        }

        const string scheme = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(scheme, StringComparison.Ordinal) || authorizationHeader.Length == scheme.Length)
        {
            return AuthenticationResult.Unauthorized("No bearer token.");
        }

        var token = authorizationHeader[scheme.Length..].Trim();
        TokenValidationResult validation;
        OpenIdConnectConfiguration metadata;
        try
        {
            metadata = await _metadata.GetConfigurationAsync(cancellationToken);
            validation = await _handler.ValidateTokenAsync(token, Parameters(metadata));
            if (validation.Exception is SecurityTokenSignatureKeyNotFoundException
                && await FreshMetadataAsync(cancellationToken) is { } fresh)
            {
                metadata = fresh;
                validation = await _handler.ValidateTokenAsync(token, Parameters(metadata));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
        {
            // The reason (hosts, TLS details) is for the log; the caller learns only that keys were missing.
            if (_logger is not null) TeamsLog.KeysUnavailable(_logger, e);
            return AuthenticationResult.Unauthorized("The signing keys could not be loaded.");
        }

        if (!validation.IsValid || validation.SecurityToken is not JsonWebToken jwt)
        {
            return AuthenticationResult.Unauthorized($"Invalid token: {validation.Exception?.GetType().Name ?? "not a JWT"}.");
        }

        if (!jwt.TryGetPayloadValue<string>("serviceurl", out var claimedServiceUrl) || string.IsNullOrEmpty(claimedServiceUrl))
        {
            return AuthenticationResult.Forbidden("The token has no serviceurl claim.");
        }

        if (!string.Equals(claimedServiceUrl, serviceUrl, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticationResult.Forbidden("The token's serviceurl claim does not match the activity's serviceUrl.");
        }

        return await CheckEndorsementsAsync(metadata, jwt.Kid, channelId, cancellationToken);
    }

    /// <summary>
    /// A token names a key we do not know: the keys may have rolled over. Use the keys fetched for
    /// the last such token, or fetch them now (at most every 30 s, so unknown keys cannot make us
    /// hammer the metadata endpoint), and let the configuration manager catch up in the background.
    /// </summary>
    private async Task<OpenIdConnectConfiguration?> FreshMetadataAsync(CancellationToken cancellationToken)
    {
        await _forcedFetchGate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (now - _lastForcedFetch >= MinForcedFetchGap)
            {
                _lastForcedFetch = now;
                _forced = await OpenIdConnectConfigurationRetriever.GetAsync(_options.OpenIdMetadataUrl, _retriever, cancellationToken);
                _metadata.RequestRefresh();
            }

            return _forced;
        }
        finally
        {
            _forcedFetchGate.Release();
        }
    }

    private async Task<AuthenticationResult> CheckEndorsementsAsync(OpenIdConnectConfiguration metadata, string? kid, string? channelId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(kid) || string.IsNullOrEmpty(metadata.JwksUri))
        {
            return AuthenticationResult.Forbidden("The signing key cannot be identified, so its endorsements cannot be checked.");
        }

        IReadOnlyList<string>? endorsements;
        try
        {
            endorsements = await _endorsements.GetAsync(metadata.JwksUri, kid, cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or System.Text.Json.JsonException)
        {
            if (_logger is not null) TeamsLog.KeysUnavailable(_logger, e);
            return AuthenticationResult.Unauthorized("The key set could not be read.");
        }

        if (endorsements is null)
        {
            return AuthenticationResult.Forbidden("The signing key is not in the published key set.");
        }

        if (endorsements.Count > 0 && (channelId is null || !endorsements.Contains(channelId, StringComparer.Ordinal)))
        {
            return AuthenticationResult.Forbidden($"The signing key is not endorsed for channel '{channelId}'.");
        }

        return AuthenticationResult.Success;
    }

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration metadata) => new()
    {
        ValidateIssuer = true,
        ValidIssuers = _options.EffectiveIssuers,
        ValidateAudience = true,
        ValidAudience = _options.AppId,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromMinutes(5),
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = true,
        IssuerSigningKeys = metadata.SigningKeys,
        ValidAlgorithms = Algorithms,
    };
}
