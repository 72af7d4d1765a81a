using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// Promotes the region's replica. The lag seen just before promotion is the data-loss window: it
/// is recorded as <c>rpo_seconds</c> (the measured RPO). The port verifies first: already primary = no-op.
/// </summary>
public sealed class DatabasePromoteExecutor(IDatabaseReplica database) : IStepExecutor
{
    public string Name => ExecutorNames.DatabasePromote;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var before = await database.GetStatusAsync(region, cancellationToken);
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!before.IsPrimary && before.LagSeconds is { } lag)
        {
            facts["rpo_seconds"] = Invariant(lag);
        }
        var result = await database.PromoteAsync(region, cancellationToken);
        return result.ToStepResult(facts);
    }
}

/// <summary>
/// <c>kubectl set env deployment/core-api DATABASE_URL=…</c> on the cluster of <c>cluster</c>, pointing
/// at the database of <c>database</c>. Remembers the previous value (fact) for the compensation.
/// </summary>
public sealed class UpdateConnectionStringExecutor(IClusterManager cluster) : IStepExecutor
{
    public string Name => ExecutorNames.UpdateConnectionString;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var target = context.Text("cluster", context.Run.Region);
        var databaseRegion = context.Text("database", context.Run.Region);
        var ns = context.Namespace();
        var deployment = context.Text("deployment", DefaultDeployment);
        var variable = context.Text("variable", "DATABASE_URL");
        var url = context.Text("url", $"postgresql://policycortex-db-{databaseRegion}.postgres.database.azure.com/policycortex");

        var current = await cluster.GetEnvironmentAsync(target, ns, deployment, variable, cancellationToken);
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var previousKey = PreviousKey(target, deployment, variable);
        if (!context.Run.Facts.ContainsKey(previousKey) && current != url)
        {
            facts[previousKey] = current ?? "";
        }
        if (current == url)
        {
            return StepResult.Ok($"{deployment} in {target} already uses the {databaseRegion} database", facts);
        }
        var result = await cluster.SetEnvironmentAsync(target, ns, deployment, variable, url, cancellationToken);
        return result.ToStepResult(facts);
    }

    internal static string PreviousKey(string cluster, string deployment, string variable) =>
        $"previous_{variable}_{deployment}_{cluster}".ToLowerInvariant();
}

/// <summary>Compensation: puts back the connection string the update replaced.</summary>
public sealed class RestoreConnectionStringExecutor(IClusterManager cluster) : IStepExecutor
{
    public string Name => ExecutorNames.RestoreConnectionString;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var target = context.Text("cluster", context.Run.Region);
        var ns = context.Namespace();
        var deployment = context.Text("deployment", DefaultDeployment);
        var variable = context.Text("variable", "DATABASE_URL");
        if (!context.Run.Facts.TryGetValue(UpdateConnectionStringExecutor.PreviousKey(target, deployment, variable), out var previous)
            || string.IsNullOrEmpty(previous))
        {
            return StepResult.Ok($"no previous {variable} of {deployment} in {target} was recorded: nothing to restore");
        }
        var current = await cluster.GetEnvironmentAsync(target, ns, deployment, variable, cancellationToken);
        if (current == previous)
        {
            return StepResult.Ok($"{deployment} in {target} already uses its previous {variable}");
        }
        var result = await cluster.SetEnvironmentAsync(target, ns, deployment, variable, previous, cancellationToken);
        return result.ToStepResult();
    }
}
