using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Executors;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Validation;

// The data-consistency runbook's checks: primary {from}, replica {region}.

public sealed class ChecksumsAtOneLsnExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.ConsistencyChecksums;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (Settings.Tables.Count == 0)
            throw new InvalidOperationException("No table to compare: set DrBot:Validation:Tables (schema.table).");
        var (criteria, notes) = await new DataConsistencyValidator(Settings).CompareTablesAsync(Source(context), Replica(context), cancellationToken);
        return Judge(context, criteria, $"{criteria.Count} tables equal; {string.Join(" ", notes)}", signal: RollbackSignals.DataInconsistency);
    }
}

public sealed class ReplicationStatusExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.ConsistencyReplication;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var criterion = await new DataConsistencyValidator(Settings).ReplicationAsync(Source(context), cancellationToken);
        return Judge(context, [criterion], criterion.Measured);
    }
}

public sealed class WalArchivingExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.ConsistencyArchiving;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var criterion = await new DataConsistencyValidator(Settings).ArchivingAsync(Source(context), cancellationToken);
        return Judge(context, [criterion], criterion.Measured);
    }
}
