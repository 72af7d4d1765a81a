using DrBot.Runbooks.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Preflight;

public static class PreflightServiceCollectionExtensions
{
    /// <summary>The pre-flight evaluator and recorder (<c>DrBot:Preflight</c>); needs the engine (<see cref="EngineServiceCollectionExtensions.AddRunbookEngine"/>) and the store.</summary>
    public static IServiceCollection AddPreflight(this IServiceCollection services)
    {
        services.AddOptions<PreflightOptions>().BindConfiguration(PreflightOptions.Section)
            .Validate(o => o.Problem() is null, "DrBot:Preflight: Interval and StepTimeout must be positive time spans (e.g. 00:30:00).")
            .ValidateOnStart();
        services.TryAddSingleton<PreflightEvaluator>();
        services.TryAddSingleton<PreflightRecorder>();
        return services;
    }
}
