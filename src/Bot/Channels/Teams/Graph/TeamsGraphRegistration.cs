using DrBot.Bot.Integrations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Teams.Graph;

public static class TeamsGraphRegistration
{
    /// <summary>Graph for war-room channels; the start-up line says whether it is on when Teams is.</summary>
    public static IServiceCollection AddTeamsGraph(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TeamsGraphOptions>().Bind(configuration.GetSection(TeamsGraphOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TeamsGraphOptions>, TeamsGraphOptionsValidator>());
        services.AddHttpClient(GraphClient.ClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<GraphTokens>();
        services.TryAddSingleton<GraphClient>();
        services.TryAddSingleton<TeamsGraphWarRooms>();
        if (!string.IsNullOrWhiteSpace(configuration["DrBot:Teams:AppId"]))
        {
            services.AddSingleton<IIntegrationStatus, TeamsGraphStatus>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IntegrationStartupReport>());
        }
        return services;
    }
}

/// <summary>The start-up line for Graph war rooms.</summary>
public sealed class TeamsGraphStatus(IOptions<TeamsGraphOptions> options) : IIntegrationStatus
{
    public string Name => "teams-graph";

    public string Describe() => options.Value.IsConfigured
        ? $"on: a P1's war room is a channel in team {options.Value.TeamId}" + (string.IsNullOrWhiteSpace(options.Value.MeetingOrganizerId) ? " (no meeting: DrBot:Teams:Graph:MeetingOrganizerId is empty)" : " with a Teams meeting")
        : "not configured (DrBot:Teams:Graph:TeamId is empty): a P1's war room on Teams is a thread in the incident channel";
}

/// <summary>Stops the bot at start when Graph is half configured, naming the key, rather than at the first P1.</summary>
public sealed class TeamsGraphOptionsValidator(IOptions<TeamsOptions> teams) : IValidateOptions<TeamsGraphOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsGraphOptions options)
    {
        var errors = new List<string>();
        if (!options.AuthorityHost.IsAbsoluteUri || options.AuthorityHost.Scheme != Uri.UriSchemeHttps)
            errors.Add($"DrBot:Teams:Graph:AuthorityHost '{options.AuthorityHost}' must be an absolute https URL (default {TeamsGraphOptions.DefaultAuthorityHost}).");
        if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme != Uri.UriSchemeHttps)
            errors.Add($"DrBot:Teams:Graph:BaseUrl '{options.BaseUrl}' must be an absolute https URL (default {TeamsGraphOptions.DefaultBaseUrl}).");
        if (options.MeetingLength <= TimeSpan.Zero)
            errors.Add("DrBot:Teams:Graph:MeetingLength must be positive (for example 04:00:00).");
        if (options.IsConfigured)
        {
            var (tenant, clientId, secret) = GraphTokens.Credentials(options, teams.Value);
            if (string.IsNullOrWhiteSpace(tenant) || tenant is "common" or "organizations" or "consumers")
                errors.Add("DrBot:Teams:Graph:TenantId (or DrBot:Teams:TenantId) must name the directory tenant: app-only Graph tokens need a tenant, not common/organizations.");
            if (string.IsNullOrWhiteSpace(clientId))
                errors.Add("DrBot:Teams:Graph:ClientId (or DrBot:Teams:AppId) is empty: Graph needs the app registration's client id.");
            if (string.IsNullOrWhiteSpace(secret))
                errors.Add("DrBot:Teams:Graph:ClientSecret (or DrBot:Teams:AppPassword) is empty: Graph needs the app's client secret.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
