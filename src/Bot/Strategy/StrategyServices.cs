using DrBot.Bot.Compliance;
using DrBot.Bot.Drills;
using DrBot.Bot.Kpis;
using DrBot.Bot.PostMortems;
using DrBot.Bot.Validation;
using DrBot.Runbooks.Validation;
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
        services.AddOptions<DrillOptions>().BindConfiguration(DrillOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<DrillOptions>, DrillOptionsValidator>();
        services.AddSingleton<DrillScheduler>();
        services.AddSingleton<IStoredTimerHandler>(sp => sp.GetRequiredService<DrillScheduler>());
        services.AddHostedService<DrillScheduleSeeder>();
        services.AddSingleton<DrillEvaluator>();
        services.AddSingleton<LiveDrillEvaluator>();
        services.AddSingleton<LiveDrillService>();
        services.AddSingleton<IStoredTimerHandler>(sp => sp.GetRequiredService<LiveDrillService>());
        services.AddSingleton<ChaosDrillService>();
        services.AddSingleton<IStoredTimerHandler>(sp => sp.GetRequiredService<ChaosDrillService>());
        services.AddSingleton<ComplianceService>();
        services.AddOptions<ValidationOptions>().BindConfiguration(ValidationOptions.Section);
        services.AddValidationStepExecutors();
        services.AddSingleton<ValidationService>();
        services.AddSingleton<IValidationStarter>(sp => sp.GetRequiredService<ValidationService>());
        services.AddSingleton<IStoredTimerHandler>(sp => sp.GetRequiredService<ValidationService>());
        services.AddSingleton<StrategyCommandHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapStrategyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPostMortemEndpoints();
        app.MapKpiEndpoints();
        app.MapExerciseEndpoints();
        app.MapComplianceEndpoints();
        return app;
    }
}
