using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Executors;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Validation;

// The backup-restore runbook's steps; the scratch instance and slot travel in the run's facts (BackupRestoreState).

public sealed class BackupPreChecksExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.BackupPreChecks;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        try
        {
            return StepResult.Ok(await new BackupRestoreSteps(Settings, Time).PreCheckAsync(Source(context), Settings.BackupPath is { Length: > 0 } ? null : Replica(context), cancellationToken));
        }
        catch (Npgsql.NpgsqlException ex)
        {
            // The pre-check asks whether both answer: not answering is its finding, not a reason to retry.
            return StepResult.Fail($"a database does not answer: {ex.Message}");
        }
    }
}

public sealed class TakeBackupExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.BackupTake;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var state = await new BackupRestoreSteps(Settings, Time).TakeBackupAsync(Source(context), context.Run.Id, cancellationToken);
        return StepResult.Ok(BackupRestoreValidator.Describe(state), state.ToFacts());
    }

    /// <summary>A backup that failed half-way leaves nothing: this step is not compensated when it did not succeed.</summary>
    protected override async Task<StepResult> FailedAsync(StepContext context, string reason, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(Settings.ScratchDirectory ?? Path.GetTempPath(), "drbot-restore-" + context.Run.Id);
        var slot = BackupRestoreSteps.SlotPrefix + new string([.. context.Run.Id.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        try
        {
            await new BackupRestoreSteps(Settings, Time).RemoveAsync(new BackupRestoreState { ScratchDirectory = scratch, Slot = slot }, Source(context), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            reason += $" (cleanup: {ex.Message})";
        }
        return StepResult.Fail(reason);
    }
}

public sealed class SourceAtLsnExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.BackupSourceAtLsn;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var state = BackupRestoreState.From(context.Run.Facts) ?? throw new InvalidOperationException("No base backup was recorded by an earlier step.");
        var replica = state.FromConfiguredBackup ? "" : Replica(context);
        state = await new BackupRestoreSteps(Settings, Time).ReadSourceAtLsnAsync(state, replica, cancellationToken);
        return StepResult.Ok(state.FromConfiguredBackup
            ? "a configured backup: the source is not read (it has moved on since)"
            : $"{context.Run.Region} paused at LSN {state.CompareLsn} (past the backup's end {state.BackupStopLsn}), {state.SourceChecksums.Count} tables checksummed, replay resumed", state.ToFacts());
    }
}

public sealed class RestoreToLsnExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.BackupRestoreToLsn;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var state = BackupRestoreState.From(context.Run.Facts) ?? throw new InvalidOperationException("No base backup was recorded by an earlier step.");
        state = await new BackupRestoreSteps(Settings, Time).RestoreAsync(state, Source(context), cancellationToken);
        return StepResult.Ok($"scratch instance on 127.0.0.1:{state.ScratchPort} recovered to {(state.FromConfiguredBackup ? "the backup's consistent end" : $"LSN {state.CompareLsn}")} and promoted, {state.RestoreSeconds:0.#} s after the backup started", state.ToFacts());
    }
}

public sealed class VerifyRestoreExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.BackupVerify;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var state = BackupRestoreState.From(context.Run.Facts) ?? throw new InvalidOperationException("No restored copy was recorded by an earlier step.");
        var criteria = await new BackupRestoreValidator(Settings, Time).VerifyAsync(state, Source(context), Rto(), cancellationToken);
        return Judge(context, criteria, $"{criteria.Count} criteria met at LSN {state.CompareLsn}", signal: RollbackSignals.DataInconsistency);
    }
}

/// <summary>The last step, and the take-backup step's compensation: stop and delete the scratch instance, drop the slot.</summary>
public sealed class RemoveScratchExecutor(IOptions<DrBotOptions> r, IOptions<ValidationOptions> v, TimeProvider t) : ValidationExecutor(r, v, t)
{
    public override string Name => ExecutorNames.BackupRemove;

    protected override async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken) =>
        StepResult.Ok(await new BackupRestoreSteps(Settings, Time).RemoveAsync(BackupRestoreState.From(context.Run.Facts), Source(context), cancellationToken));
}
