using Microsoft.Extensions.Options;

namespace DrBot.Bot.Monitoring;

public static class HealthMonitorRegistration
{
    /// <summary>
    /// The health monitor as a hosted service (and a singleton, so tests and tools can call
    /// <see cref="HealthMonitor.ProbeOnceAsync"/>). Options from <c>DrBot:Monitoring</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddHealthMonitor(this IServiceCollection services, IConfiguration configuration)
    {
        var live = string.Equals(configuration["DrBot:Infrastructure:Mode"], "Live", StringComparison.OrdinalIgnoreCase);
        services.AddOptions<HealthMonitorOptions>()
            .Bind(configuration.GetSection(HealthMonitorOptions.Section))
            .PostConfigure(o => o.Enabled ??= live)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthMonitorOptions>, HealthMonitorOptionsValidator>();
        services.AddSingleton<FlapGuard>();
        services.AddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        if (live)
            services.AddHostedService<HeartbeatService>();
        return services;
    }
}
