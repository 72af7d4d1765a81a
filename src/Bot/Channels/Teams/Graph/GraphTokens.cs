using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace DrBot.Bot.Channels.Teams.Graph;

/// <summary>
/// App-only Graph tokens from MSAL's client-credentials flow (scope <c>https://graph.microsoft.com/.default</c>,
/// or the configured Graph origin's); MSAL caches and renews them. The credentials fall back to the
/// bot's own registration.
/// </summary>
public sealed class GraphTokens
{
    private readonly Lazy<IConfidentialClientApplication> _app;
    private readonly string[] _scopes;

    public GraphTokens(IOptions<TeamsGraphOptions> graph, IOptions<TeamsOptions> teams, IHttpClientFactory httpClientFactory)
    {
        var settings = graph.Value;
        _scopes = [settings.Scope];
        _app = new Lazy<IConfidentialClientApplication>(() => Build(settings, teams.Value, httpClientFactory));
    }

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken) =>
        (await _app.Value.AcquireTokenForClient(_scopes).ExecuteAsync(cancellationToken)).AccessToken;

    public static (string Tenant, string ClientId, string Secret) Credentials(TeamsGraphOptions graph, TeamsOptions teams) => (
        string.IsNullOrWhiteSpace(graph.TenantId) ? teams.TenantId : graph.TenantId,
        string.IsNullOrWhiteSpace(graph.ClientId) ? teams.AppId : graph.ClientId,
        string.IsNullOrWhiteSpace(graph.ClientSecret) ? teams.AppPassword : graph.ClientSecret);

    private static IConfidentialClientApplication Build(TeamsGraphOptions graph, TeamsOptions teams, IHttpClientFactory httpClientFactory)
    {
        var (tenant, clientId, secret) = Credentials(graph, teams);
        var authority = new Uri(graph.AuthorityHost, Uri.EscapeDataString(tenant)).ToString();
        var isDefault = Uri.Compare(graph.AuthorityHost, TeamsGraphOptions.DefaultAuthorityHost, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
        var builder = ConfidentialClientApplicationBuilder.Create(clientId)
            .WithClientSecret(secret)
            .WithHttpClientFactory(new MsalHttpClients(httpClientFactory));
        builder = isDefault && !graph.DisableInstanceDiscovery
            ? builder.WithAuthority(authority)
            : builder.WithAuthority(authority, validateAuthority: false).WithInstanceDiscovery(false);
        return builder.Build();
    }

    private sealed class MsalHttpClients(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(GraphClient.ClientName);
    }
}
