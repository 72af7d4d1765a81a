using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using DrBot.Runbooks.Definitions;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// Step executors are found by DI alone: each is registered with its name by one line here (or by a
/// host or test calling <see cref="AddStepExecutor{T}"/>), and both the registry and the validator of
/// configured runbooks read the registrations.
/// </summary>
public static class StepExecutorRegistration
{
    private static readonly (string Name, Action<IServiceCollection, string> Add)[] BuiltIns =
    [
        (ExecutorNames.PrimaryDown, (s, n) => s.AddStepExecutor<PrimaryDownCheck>(n)),
        (ExecutorNames.RegionHealthy, (s, n) => s.AddStepExecutor<RegionHealthyCheck>(n)),
        (ExecutorNames.ReplicationLag, (s, n) => s.AddStepExecutor<ReplicationLagCheck>(n)),
        (ExecutorNames.DatabasePromote, (s, n) => s.AddStepExecutor<DatabasePromoteExecutor>(n)),
        (ExecutorNames.UpdateConnectionString, (s, n) => s.AddStepExecutor<UpdateConnectionStringExecutor>(n)),
        (ExecutorNames.RestoreConnectionString, (s, n) => s.AddStepExecutor<RestoreConnectionStringExecutor>(n)),
        (ExecutorNames.ClusterCredentials, (s, n) => s.AddStepExecutor<ClusterCredentialsExecutor>(n)),
        (ExecutorNames.ClusterScale, (s, n) => s.AddStepExecutor<ClusterScaleExecutor>(n)),
        (ExecutorNames.ClusterRestoreScale, (s, n) => s.AddStepExecutor<ClusterRestoreScaleExecutor>(n)),
        (ExecutorNames.TrafficSwitch, (s, n) => s.AddStepExecutor<TrafficSwitchExecutor>(n)),
        (ExecutorNames.TrafficEnable, (s, n) => s.AddStepExecutor<TrafficEnableExecutor>(n)),
        (ExecutorNames.TrafficDisable, (s, n) => s.AddStepExecutor<TrafficDisableExecutor>(n)),
        (ExecutorNames.ServicesVerify, (s, n) => s.AddStepExecutor<ServicesVerifyExecutor>(n)),
        (ExecutorNames.SmokeTests, (s, n) => s.AddStepExecutor<SmokeTestsExecutor>(n)),
        (ExecutorNames.DataConsistency, (s, n) => s.AddStepExecutor<DataConsistencyExecutor>(n)),
        (ExecutorNames.ErrorRates, (s, n) => s.AddStepExecutor<ErrorRatesExecutor>(n)),
        (ExecutorNames.Timeline, (s, n) => s.AddStepExecutor<TimelineExecutor>(n)),
        (ExecutorNames.Fence, (s, n) => s.AddStepExecutor<FenceExecutor>(n)),
        (ExecutorNames.Unfence, (s, n) => s.AddStepExecutor<UnfenceExecutor>(n)),
        (ExecutorNames.WaitForReplay, (s, n) => s.AddStepExecutor<WaitForReplayExecutor>(n)),
        (ExecutorNames.DataLossBound, (s, n) => s.AddStepExecutor<DataLossBoundCheck>(n)),
        (ExecutorNames.CachePromote, (s, n) => s.AddStepExecutor<CachePromoteExecutor>(n)),
        (ExecutorNames.CacheRestore, (s, n) => s.AddStepExecutor<CacheRestoreExecutor>(n)),
        (ExecutorNames.RegionConfigured, (s, n) => s.AddStepExecutor<RegionConfiguredCheck>(n)),
        (ExecutorNames.Notify, (s, n) => s.AddStepExecutor(n, sp => NotifyExecutor.Stakeholders(sp.GetRequiredService<IRunbookNotifier>()))),
        (ExecutorNames.StatusPage, (s, n) => s.AddStepExecutor(n, sp => NotifyExecutor.StatusPage(sp.GetRequiredService<IRunbookNotifier>()))),
        (ExecutorNames.Ticket, (s, n) => s.AddStepExecutor(n, sp => NotifyExecutor.Ticket(sp.GetRequiredService<IRunbookNotifier>()))),
    ];

    /// <summary>The names of the built-in executors, for validating definitions outside DI.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = [.. BuiltIns.Select(b => b.Name)];

    public static IServiceCollection AddBuiltInStepExecutors(this IServiceCollection services)
    {
        foreach (var (name, add) in BuiltIns)
        {
            add(services, name);
        }
        return services;
    }

    /// <summary>Registers an executor class under <paramref name="name"/> (which its <see cref="IStepExecutor.Name"/> must say too).</summary>
    public static IServiceCollection AddStepExecutor<T>(this IServiceCollection services, string name) where T : class, IStepExecutor
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStepExecutor, T>());
        services.AddSingleton(new StepExecutorName(name));
        return services;
    }

    /// <summary>Registers an executor built by <paramref name="create"/> under <paramref name="name"/>.</summary>
    public static IServiceCollection AddStepExecutor(this IServiceCollection services, string name, Func<IServiceProvider, IStepExecutor> create)
    {
        services.AddSingleton(create);
        services.AddSingleton(new StepExecutorName(name));
        return services;
    }
}
