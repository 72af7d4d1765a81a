using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DrBot.Bot.Integrations.Statuspage;

public static class StatuspageRegistration
{
    public static IServiceCollection AddStatuspage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatuspageOptions>().Bind(configuration.GetSection(StatuspageOptions.Section))
            .Validate(o => o.ApiBaseUrl.IsAbsoluteUri, "DrBot:Statuspage:ApiBaseUrl must be an absolute URL")
            .ValidateOnStart();
        services.AddHttpClient(StatuspageIntegration.ChannelName, c => c.Timeout = TimeSpan.FromSeconds(20));
        services.AddSingleton<StatuspageSync>();
        services.AddSingleton<StatuspageIntegration>();
        services.AddSingleton<IOutboundIntegration>(sp => sp.GetRequiredService<StatuspageIntegration>());
        services.AddSingleton<IIntegrationStatus>(sp => sp.GetRequiredService<StatuspageIntegration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IntegrationStartupReport>());
        return services;
    }
}
