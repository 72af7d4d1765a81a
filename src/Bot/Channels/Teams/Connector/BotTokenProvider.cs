using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace DrBot.Bot.Channels.Teams.Connector;

/// <summary>The bot's own access token for the Connector.</summary>
public interface IBotTokenProvider
{
    Task<string> GetTokenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Client-credentials tokens from MSAL's confidential client (scope
/// <c>https://api.botframework.com/.default</c>); MSAL caches them and renews them before expiry.
/// A non-default authority (single tenant, sovereign cloud, local test server) turns instance
/// discovery off, the default keeps MSAL's usual authority validation.
/// </summary>
public sealed class MsalBotTokenProvider : IBotTokenProvider
{
    public const string Scope = "https://api.botframework.com/.default";
    private static readonly string[] Scopes = [Scope];

    private readonly Lazy<IConfidentialClientApplication> _app;

    public MsalBotTokenProvider(IOptions<TeamsOptions> options, IHttpClientFactory httpClientFactory)
    {
        var settings = options.Value;
        _app = new Lazy<IConfidentialClientApplication>(() => Build(settings, httpClientFactory));
    }

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var result = await _app.Value.AcquireTokenForClient(Scopes).ExecuteAsync(cancellationToken);
        return result.AccessToken;
    }

    private static IConfidentialClientApplication Build(TeamsOptions settings, IHttpClientFactory httpClientFactory)
    {
        if (string.IsNullOrWhiteSpace(settings.AppId) || string.IsNullOrWhiteSpace(settings.AppPassword))
        {
            throw new InvalidOperationException("DrBot:Teams:AppId and DrBot:Teams:AppPassword are needed to post to Teams.");
        }

        var authority = string.IsNullOrWhiteSpace(settings.Authority) ? TeamsOptions.DefaultAuthority : settings.Authority.TrimEnd('/');
        var isDefault = string.Equals(authority, TeamsOptions.DefaultAuthority, StringComparison.OrdinalIgnoreCase);
        var builder = ConfidentialClientApplicationBuilder.Create(settings.AppId)
            .WithClientSecret(settings.AppPassword)
            .WithHttpClientFactory(new NamedMsalHttpClientFactory(httpClientFactory));
        builder = isDefault
            ? builder.WithAuthority(authority)
            : builder.WithAuthority(authority, validateAuthority: false).WithInstanceDiscovery(false);
        return builder.Build();
    }

    /// <summary>Lets MSAL use the same configured HttpClient as the rest of the Teams channel.</summary>
    private sealed class NamedMsalHttpClientFactory(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(TeamsHttp.ClientName);
    }
}
