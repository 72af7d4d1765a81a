using DrBot.Bot.Drills;
using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using DrBot.Runbooks.Validation;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Validation;

/// <summary>
/// <c>validate backup-restore|data-consistency [replica]</c>, <c>runbook start</c> of either, and the
/// schedule's Start: checks the configuration, starts the validation runbook (its card, gate and audit
/// as any run) against the current primary and the replica, archives an exercise for it, and when the
/// run has ended (a stored timer watches it, once across replicas) records each criterion the
/// run's steps measured and posts the result card.
/// </summary>
public sealed class ValidationService(
    ExerciseArchive archive,
    CardPublisher publisher,
    RunbookService runbooks,
    IRunStore runs,
    ITimerStore timers,
    IIdempotencyStore idempotency,
    IOptions<DrBotOptions> options,
    IOptions<ValidationOptions> validation,
    IOptions<DrillOptions> drills,
    TimeProvider time) : IValidationStarter, IStoredTimerHandler
{
    public const string ObserveKind = "validation-observe";

    public IReadOnlyCollection<string> Kinds { get; } = [ObserveKind];

    public static string TimerId(string exerciseId) => $"validation-observe:{exerciseId}";

    public Task<(bool Ok, string Message, ExerciseRecord? Record)> StartAsync(string kind, Actor actor, CancellationToken cancellationToken) =>
        StartAsync(kind, actor, null, cancellationToken);

    public async Task<(bool Ok, string Message, ExerciseRecord? Record)> StartAsync(string kind, Actor actor, string? replicaRegion, CancellationToken cancellationToken)
    {
        if (!ExerciseKinds.Validations.Contains(kind))
            return (false, $"'{kind}' is not a validation (valid: {string.Join(", ", ExerciseKinds.Validations)}).", null);
        var settings = validation.Value;
        var source = settings.PrimaryRegion ?? options.Value.RegionWithRole(RegionRoles.Primary);
        var replica = replicaRegion ?? settings.ReplicaRegion ?? options.Value.RegionWithRole(RegionRoles.Secondary, except: source);
        if (replica is not null)
        {
            replica = options.Value.Regions.Keys.FirstOrDefault(r => string.Equals(r, replica, StringComparison.OrdinalIgnoreCase));
            if (replica is null)
                return (false, $"Unknown region '{replicaRegion}'. Regions: {string.Join(", ", options.Value.Regions.Keys)}.", null);
        }
        var needsReplica = kind == ExerciseKinds.DataConsistency || settings.BackupPath is not { Length: > 0 };
        foreach (var region in needsReplica ? new[] { source, replica } : [source])
            if (region is null || string.IsNullOrWhiteSpace(ConnectionString(region)))
                return (false, $"{kind} needs a real PostgreSQL: set DrBot:Regions:{region ?? "<region>"}:Database:ConnectionString (and DrBot:Validation:Tables).", null);
        if (settings.Tables.Count == 0)
            return (false, $"{kind} compares the tables named in DrBot:Validation:Tables (schema.table); none is configured.", null);
        if (string.Equals(source, replica, StringComparison.OrdinalIgnoreCase))
            return (false, $"{replica} is the primary; name a replica region (`validate {kind} <replica>`).", null);

        var started = await runbooks.StartForExerciseAsync(kind, replica ?? source!, actor, cancellationToken);
        if (started.Running is { } running)
            return (false, $"{running.Id} ({running.Runbook} → {running.Region}) is already under way, started by {running.StartedBy}; follow its card.", null);
        if (started.Run is not { } run)
            return (false, started.Refusal!, null);
        var now = time.GetUtcNow();
        var record = new ExerciseRecord
        {
            Id = await archive.NextIdAsync(cancellationToken), Kind = kind, Region = source, Mode = "live", StartedBy = actor.ToString(),
            StartedAt = now, Status = ExerciseStatus.Running, Tier = settings.Tier,
        };
        record.Facts["replica"] = replica ?? "";
        record.Facts[RunFact] = run.Id;
        record.Notes.Add($"Runbook {kind} started as {run.Id}: source {run.FromRegion ?? source}, replica {run.Region}.");
        await archive.SaveAsync(record, cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(TimerId(record.Id), ObserveKind, record.Id, now + drills.Value.ObserveEvery), cancellationToken);
        var gate = kind == ExerciseKinds.BackupRestore ? " A lead approves pausing replay on the replica on its card." : "";
        return (true, $"{kind} {record.Id} started by {actor.DisplayName} as {run.Id} ({run.FromRegion ?? source} → {run.Region}).{gate} The result is posted when the run ends.", record);
    }

    public const string RunFact = "run";

    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await idempotency.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        if (await archive.GetAsync(timer.Subject, cancellationToken) is not { IsFinished: false } record)
            return;
        var run = record.Facts.TryGetValue(RunFact, out var runId) ? await runs.GetRunAsync(runId, cancellationToken) : null;
        if (run is { IsFinished: false })
        {
            await timers.ScheduleTimerAsync(timer with { DueAt = timer.DueAt + drills.Value.ObserveEvery, LeaseOwner = null, LeaseUntil = null }, cancellationToken);
            return;
        }
        await CompleteAsync(record, run, cancellationToken);
    }

    private async Task CompleteAsync(ExerciseRecord record, RunRecord? run, CancellationToken cancellationToken)
    {
        var definition = BuiltInRunbooks.All.First(d => d.Name == record.Kind);
        var order = definition.Steps.SelectMany(s => s.ParallelChecks.Count > 0 ? s.ParallelChecks.Select(c => c.Id) : [s.Id]);
        var criteria = run is null ? [] : BackupRestoreState.ReadCriteria(run.Facts, order).ToList();
        if (run is not { Outcome: RunOutcome.Succeeded } && criteria.All(c => c.Passed))
        {
            var failed = run?.Steps.FirstOrDefault(s => s.Status is StepStatus.Failed or StepStatus.Rejected or StepStatus.Expired);
            var what = run is null ? "the run was not found" : $"{run.Id} {run.Outcome.ToString().ToLowerInvariant()}" + (failed is null ? $": {run.OutcomeReason}" : $" at \"{failed.Title}\": {failed.Detail}");
            criteria.Add(new CriterionResult(record.Kind == ExerciseKinds.BackupRestore ? "Restore completed" : "Checks completed", false, what, "every step of the runbook done"));
        }
        if (record.Kind == ExerciseKinds.BackupRestore && run is not null)
            criteria.Add(Removed(run));
        record.Criteria = criteria;
        if (run is not null)
        {
            record.Notes.AddRange(run.Steps.Where(s => s.Status != StepStatus.Pending).Select(s => $"{s.Title}: {s.Detail}"));
            if (run.Facts.TryGetValue("restore_seconds", out var seconds))
                record.Facts["restore_seconds"] = seconds;
            if (run.Facts.TryGetValue("compare_lsn", out var lsn))
                record.Facts["compare_lsn"] = lsn;
        }
        record.Status = record.Criteria.Count > 0 && record.Criteria.All(c => c.Passed) ? ExerciseStatus.Passed : ExerciseStatus.Failed;
        record.EndedAt = time.GetUtcNow();
        await archive.SaveAsync(record, cancellationToken);
        await timers.CancelTimerAsync(TimerId(record.Id), cancellationToken);
        await publisher.PostAsync($"{DrillCards.PostKey(record.Id)}:result", DrillCards.Result(record), cancellationToken);
    }

    /// <summary>The scratch instance is gone when the last step removed it, the take-backup step was compensated, or never made anything.</summary>
    private static CriterionResult Removed(RunRecord run)
    {
        var take = run.Step("take-base-backup");
        var remove = run.Step("remove-scratch");
        var state = BackupRestoreState.From(run.Facts);
        var (ok, measured) = (take?.Status, remove?.Status) switch
        {
            (_, StepStatus.Succeeded) => (true, remove!.Detail ?? "removed"),
            (StepStatus.Compensated, _) => (true, "removed by the rollback"),
            (StepStatus.Succeeded, _) or (StepStatus.CompensationFailed, _) => (false, $"{state?.ScratchDirectory} and slot {state?.Slot} may be left: remove them by hand"),
            _ => (true, "nothing was made"),
        };
        return new CriterionResult("Scratch instance removed", ok, measured, "nothing left behind");
    }

    private string? ConnectionString(string region) =>
        options.Value.Regions.TryGetValue(region, out var r) ? r.Database.ConnectionString : null;
}
