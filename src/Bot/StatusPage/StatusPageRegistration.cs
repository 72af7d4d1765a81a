namespace DrBot.Bot.StatusPage;

public static class StatusPageRegistration
{
    public static IServiceCollection AddStatusPage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StatusPageOptions>().Bind(configuration.GetSection(StatusPageOptions.Section))
            .Validate(o => o.HistoryDays is >= 1 and <= 366, "DrBot:StatusPage:HistoryDays must be between 1 and 366")
            .ValidateOnStart();
        services.AddSingleton<PublicUpdates>();
        services.AddSingleton<PublicStatus>();
        return services;
    }
}
