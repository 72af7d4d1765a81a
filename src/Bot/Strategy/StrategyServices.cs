using DrBot.Bot.Kpis;
using DrBot.Bot.PostMortems;
using DrBot.Runbooks.Drills;
using DrBot.Bot.Schedulers;

namespace DrBot.Bot.Strategy;

/// <summary>Registration of the strategy features: post-mortems, KPIs, chaos drills, drill schedule, validation runbooks, compliance.</summary>
public static class StrategyServices
{
    public static IServiceCollection AddStrategyFeatures(this IServiceCollection services)
    {
        services.AddSingleton<PublicLinks>();
        services.AddOptions<PostMortemOptions>().BindConfiguration(PostMortemOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PostMortemService>();
        services.AddSingleton<IStoredTimerHandler>(sp => sp.GetRequiredService<PostMortemService>());
        services.AddSingleton<ExerciseArchive>();
        services.AddSingleton<KpiService>();
        services.AddSingleton<StrategyCommandHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapStrategyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPostMortemEndpoints();
        app.MapKpiEndpoints();
        return app;
    }
}
