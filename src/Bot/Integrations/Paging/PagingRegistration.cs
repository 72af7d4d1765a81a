using DrBot.Bot.Integrations.Opsgenie;
using DrBot.Bot.Integrations.PagerDuty;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DrBot.Bot.Integrations.Paging;

public static class PagingRegistration
{
    /// <summary>PagerDuty and Opsgenie (each optional), the pager that feeds them, and the start-up line about each.</summary>
    public static IServiceCollection AddPaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PagingOptions>().Bind(configuration.GetSection(PagingOptions.Section))
            .Validate(o => o.Severities.All(s => s is "P1" or "P2" or "P3" or "P4"), "DrBot:Paging:Severities: each must be one of P1, P2, P3, P4")
            .ValidateOnStart();
        services.AddOptions<PagerDutyOptions>().Bind(configuration.GetSection(PagerDutyOptions.Section))
            .Validate(o => !o.IsConfigured || o.RoutingKey!.Trim().Length == 32, "DrBot:PagerDuty:RoutingKey must be the 32-character integration key of an Events API v2 integration")
            .Validate(o => o.ApiBaseUrl.IsAbsoluteUri, "DrBot:PagerDuty:ApiBaseUrl must be an absolute URL")
            .ValidateOnStart();
        services.AddOptions<OpsgenieOptions>().Bind(configuration.GetSection(OpsgenieOptions.Section))
            .Validate(o => o.ApiBaseUrl.IsAbsoluteUri, "DrBot:Opsgenie:ApiBaseUrl must be an absolute URL")
            .ValidateOnStart();

        services.AddHttpClient(PagerDutyIntegration.ChannelName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddHttpClient(OpsgenieIntegration.ChannelName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<PagerDutyIntegration>();
        services.AddSingleton<OpsgenieIntegration>();
        services.AddSingleton<IPagingService>(sp => sp.GetRequiredService<PagerDutyIntegration>());
        services.AddSingleton<IPagingService>(sp => sp.GetRequiredService<OpsgenieIntegration>());
        services.AddSingleton<IOutboundIntegration>(sp => sp.GetRequiredService<PagerDutyIntegration>());
        services.AddSingleton<IOutboundIntegration>(sp => sp.GetRequiredService<OpsgenieIntegration>());
        services.AddSingleton<IIntegrationStatus>(sp => sp.GetRequiredService<PagerDutyIntegration>());
        services.AddSingleton<IIntegrationStatus>(sp => sp.GetRequiredService<OpsgenieIntegration>());
        services.AddSingleton<IncidentPager>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IntegrationStartupReport>());
        return services;
    }
}
