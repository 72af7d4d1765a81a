using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Executors;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DrBot.Runbooks.Validation;

/// <summary>
/// What the validation runbooks' executors share: the source (<c>{from}</c>, the current primary)
/// and replica (<c>{region}</c>) connection strings from <c>DrBot:Regions:&lt;region&gt;:Database</c>,
/// and failures that no retry mends reported as failed steps naming what to fix.
/// </summary>
public abstract class ValidationExecutor(IOptions<DrBotOptions> regions, IOptions<ValidationOptions> validation, TimeProvider time) : IStepExecutor
{
    public abstract string Name { get; }

    protected ValidationOptions Settings => validation.Value;
    protected TimeProvider Time => time;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync(context, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or PostgresException)
        {
            // A PostgreSQL error (permission, missing table) or a failed program is not mended by retrying; a lost connection is retried.
            return await FailedAsync(context, ex.Message, cancellationToken);
        }
    }

    protected abstract Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken);

    /// <summary>What the step does when it fails (the take-backup step removes what it made).</summary>
    protected virtual Task<StepResult> FailedAsync(StepContext context, string reason, CancellationToken cancellationToken) =>
        Task.FromResult(StepResult.Fail(reason));

    /// <summary>The configured <c>PrimaryRegion</c>, else <c>{from}</c>: where traffic goes when the run started.</summary>
    protected string Source(StepContext context) => ConnectionString(Settings.PrimaryRegion ?? context.Text("source", context.Run.FromRegion ?? ""));

    protected string Replica(StepContext context) => ConnectionString(context.Text("region", context.Run.Region));

    protected string ConnectionString(string region) =>
        regions.Value.Regions.TryGetValue(region, out var r) && !string.IsNullOrWhiteSpace(r.Database.ConnectionString)
            ? r.Database.ConnectionString
            : throw new InvalidOperationException($"The validations need a real PostgreSQL in {(region.Length == 0 ? "<region>" : region)}: set DrBot:Regions:{(region.Length == 0 ? "<region>" : region)}:Database:ConnectionString.");

    protected TimeSpan Rto() => new TierPolicy(regions.Value).Find(Settings.Tier)?.Rto ?? TimeSpan.FromMinutes(15);

    protected static StepResult Judge(StepContext context, IReadOnlyList<CriterionResult> criteria, string passed, IReadOnlyDictionary<string, string>? more = null, string? signal = null)
    {
        var facts = new Dictionary<string, string>(more ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        var (key, value) = BackupRestoreState.CriteriaFact(context.Step.Id, criteria);
        facts[key] = value;
        var failed = criteria.Where(c => !c.Passed).ToList();
        return failed.Count == 0
            ? StepResult.Ok(passed, facts)
            : StepResult.Fail(string.Join("; ", failed.Select(c => $"{c.Name}: {c.Measured}")), signal, facts);
    }
}

/// <summary>
/// Registers the validation runbooks' executors. Called by the host (not by <see cref="StepExecutorRegistration"/>),
/// so the executors folder does not depend on the validations, which depend on it.
/// </summary>
public static class ValidationStepExecutors
{
    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddValidationStepExecutors(this Microsoft.Extensions.DependencyInjection.IServiceCollection services) => services
        .AddStepExecutor<BackupPreChecksExecutor>(ExecutorNames.BackupPreChecks)
        .AddStepExecutor<TakeBackupExecutor>(ExecutorNames.BackupTake)
        .AddStepExecutor<SourceAtLsnExecutor>(ExecutorNames.BackupSourceAtLsn)
        .AddStepExecutor<RestoreToLsnExecutor>(ExecutorNames.BackupRestoreToLsn)
        .AddStepExecutor<VerifyRestoreExecutor>(ExecutorNames.BackupVerify)
        .AddStepExecutor<RemoveScratchExecutor>(ExecutorNames.BackupRemove)
        .AddStepExecutor<ChecksumsAtOneLsnExecutor>(ExecutorNames.ConsistencyChecksums)
        .AddStepExecutor<ReplicationStatusExecutor>(ExecutorNames.ConsistencyReplication)
        .AddStepExecutor<WalArchivingExecutor>(ExecutorNames.ConsistencyArchiving);
}
