using DrBot.Runbooks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>
/// One rehearsal per built-in executor of the failover runbooks (the validations' executors have none:
/// they are exercises already, never practised). Checks that only read are wrapped as they are registered.
/// </summary>
public static class StepRehearsalRegistration
{
    private static readonly (string Name, Func<IServiceProvider, string, IStepRehearsal> Create)[] BuiltIns =
    [
        (ExecutorNames.PrimaryDown, (sp, _) => ActivatorUtilities.CreateInstance<PrimaryDownRehearsal>(sp)),
        (ExecutorNames.RegionHealthy, ReadOnly),
        (ExecutorNames.ReplicationLag, (sp, _) => ActivatorUtilities.CreateInstance<ReplicationLagRehearsal>(sp)),
        (ExecutorNames.DataLossBound, ReadOnly),
        (ExecutorNames.RegionConfigured, ReadOnly),
        (ExecutorNames.ClusterCredentials, ReadOnly),
        (ExecutorNames.ServicesVerify, PostFailover),
        (ExecutorNames.SmokeTests, PostFailover),
        (ExecutorNames.ErrorRates, PostFailover),
        (ExecutorNames.DatabasePromote, (sp, _) => ActivatorUtilities.CreateInstance<DatabasePromoteRehearsal>(sp)),
        (ExecutorNames.UpdateConnectionString, (sp, _) => ActivatorUtilities.CreateInstance<UpdateConnectionStringRehearsal>(sp)),
        (ExecutorNames.ClusterScale, (sp, _) => ActivatorUtilities.CreateInstance<ClusterScaleRehearsal>(sp)),
        (ExecutorNames.Fence, (sp, _) => ActivatorUtilities.CreateInstance<FenceRehearsal>(sp)),
        (ExecutorNames.WaitForReplay, (sp, _) => ActivatorUtilities.CreateInstance<WaitForReplayRehearsal>(sp)),
        (ExecutorNames.DataConsistency, (sp, _) => ActivatorUtilities.CreateInstance<DataConsistencyRehearsal>(sp)),
        (ExecutorNames.CachePromote, (sp, _) => ActivatorUtilities.CreateInstance<CachePromoteRehearsal>(sp)),
        (ExecutorNames.TrafficSwitch, (sp, _) => TrafficRehearsal.Switch(sp.GetRequiredService<ITrafficRouter>())),
        (ExecutorNames.TrafficEnable, (sp, _) => TrafficRehearsal.Enable(sp.GetRequiredService<ITrafficRouter>())),
        (ExecutorNames.TrafficDisable, (sp, _) => TrafficRehearsal.Disable(sp.GetRequiredService<ITrafficRouter>())),
        (ExecutorNames.Notify, (_, n) => DescribeOnlyRehearsal.Post(n, null)),
        (ExecutorNames.StatusPage, (_, n) => DescribeOnlyRehearsal.Post(n, "status-page")),
        (ExecutorNames.Ticket, (_, n) => DescribeOnlyRehearsal.Post(n, "ticket")),
        (ExecutorNames.Timeline, (_, n) => new DescribeOnlyRehearsal(n, c => "would post the run's timeline with the elapsed time and the measured RPO")),
        (ExecutorNames.RestoreConnectionString, (_, n) => DescribeOnlyRehearsal.Undo(n, "put back the application's previous database URL")),
        (ExecutorNames.ClusterRestoreScale, (_, n) => DescribeOnlyRehearsal.Undo(n, "scale the deployments back to their earlier replica count")),
        (ExecutorNames.Unfence, (_, n) => DescribeOnlyRehearsal.Undo(n, "make the fenced database writable again and enable its endpoint")),
        (ExecutorNames.CacheRestore, (_, n) => DescribeOnlyRehearsal.Undo(n, "make the old cache master lead again")),
    ];

    /// <summary>The executors that have a rehearsal (a practice run of a runbook using any other fails at that step).</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = [.. BuiltIns.Select(b => b.Name)];

    public static IServiceCollection AddBuiltInStepRehearsals(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(StepRehearsalRegistry)))
            return services;
        foreach (var (name, create) in BuiltIns)
            services.AddSingleton<IStepRehearsal>(sp => create(sp, name));
        services.TryAddSingleton<StepRehearsalRegistry>();
        return services;
    }

    private static IStepRehearsal ReadOnly(IServiceProvider sp, string name) => new ReadOnlyCheckRehearsal(Registered(sp, name));

    private static IStepRehearsal PostFailover(IServiceProvider sp, string name) =>
        new PostFailoverCheckRehearsal(Registered(sp, name), sp.GetRequiredService<IHealthProbe>());

    private static IStepExecutor Registered(IServiceProvider sp, string name) =>
        sp.GetRequiredService<StepExecutorRegistry>().Find(name)
        ?? throw new InvalidOperationException($"No step executor '{name}' is registered to rehearse.");
}

/// <summary>A rehearsal in the place of its executor, so the step runner's retry and classification apply to it unchanged.</summary>
public sealed class RehearsalExecutor(IStepRehearsal rehearsal) : IStepExecutor
{
    public string Name => rehearsal.Name;

    public Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
        rehearsal.RehearseAsync(context, cancellationToken);
}
