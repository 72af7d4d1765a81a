using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Preflight;

namespace DrBot.Bot.Preflight;

public static class PreflightRegistration
{
    /// <summary>The continuous pre-flight (<c>DrBot:Preflight</c>): evaluator, its stored timer, the <c>preflight</c> command's service.</summary>
    public static IServiceCollection AddDrBotPreflight(this IServiceCollection services)
    {
        services.AddPreflight();
        services.AddSingleton<PreflightService>();
        services.AddSingleton<IStoredTimerHandler>(sp => sp.GetRequiredService<PreflightService>());
        services.AddHostedService<PreflightSeeder>();
        return services;
    }
}
