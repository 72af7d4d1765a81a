using DrBot.Bot.Alerts.Intake;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Retention;

public static class RetentionRegistration
{
    /// <summary>Registers <c>DrBot:Retention</c> (checked at start) and the pass that prunes by it.</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetentionOptions>()
            .Bind(configuration.GetSection(RetentionOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(sp => new ResolvedAlertGroupRetention(sp.GetRequiredService<IOptions<RetentionOptions>>().Value.ResolvedAlertGroups));
        services.TryAddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        return services;
    }
}
