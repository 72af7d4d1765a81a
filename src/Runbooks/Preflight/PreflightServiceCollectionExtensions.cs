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
        services.AddOptions<PreflightOptions>().BindConfiguration(PreflightOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PreflightOptions>, PreflightOptionsValidator>());
        services.TryAddSingleton<PreflightEvaluator>();
        services.TryAddSingleton<PreflightRecorder>();
        return services;
    }
}

/// <summary>A bad <c>DrBot:Preflight</c> value stops the bot at start, naming the key and what is valid.</summary>
internal sealed class PreflightOptionsValidator : IValidateOptions<PreflightOptions>
{
    public ValidateOptionsResult Validate(string? name, PreflightOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
