using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Drills;

/// <summary>
/// A drill in Live mode: a planned exercise on the real systems, nothing injected. A planned
/// switchover to the secondary (its own gate, a lead approves), its validation steps, then — once
/// the old primary replicates from the new one again — the failback (gated again), and the drill card
/// with the measured RTO and RPO. A stored timer moves it from phase to phase once across replicas.
/// </summary>
public sealed class LiveDrillService(
    RunbookService runbooks,
    IRunStore runs,
    IDatabaseReplica databases,
    LiveDrillEvaluator evaluator,
    ExerciseArchive archive,
    ITimerStore timers,
    IIdempotencyStore idempotency,
    CardPublisher publisher,
    IOptions<DrBotOptions> options,
    IOptions<DrillOptions> drillOptions,
    TimeProvider time) : IStoredTimerHandler
{
    public const string ObserveKind = "live-drill-observe";

    public IReadOnlyCollection<string> Kinds { get; } = [ObserveKind];

    public static string TimerId(string exerciseId) => $"live-drill-observe:{exerciseId}";

    /// <summary>Starts the planned switchover from the current primary to <paramref name="target"/> (default: the secondary).</summary>
    public async Task<(bool Ok, string Message, ExerciseRecord? Drill)> StartAsync(string? target, Actor actor, CancellationToken cancellationToken)
    {
        var primary = await CurrentPrimaryAsync(cancellationToken);
        target ??= options.Value.RegionWithRole(RegionRoles.Secondary, except: primary)
            ?? options.Value.Regions.Keys.FirstOrDefault(r => !string.Equals(r, primary, StringComparison.OrdinalIgnoreCase) && !RegionRules.IsBackup(options.Value.Regions[r]));
        if (target is null || string.Equals(target, primary, StringComparison.OrdinalIgnoreCase))
            return (false, $"A live drill switches from the primary {primary} to another region and back; name one, e.g. `drill {ExerciseKinds.RegionFailure} <region>`.", null);
        if (RegionRules.RefuseTarget(options.Value, BuiltInRunbooks.PlannedSwitchover, target) is { } refused)
            return (false, refused, null);
        var started = await runbooks.StartForExerciseAsync(BuiltInRunbooks.PlannedSwitchover, target, actor, cancellationToken);
        if (started.Running is { } running)
            return (false, $"{running.Id} ({running.Runbook} → {running.Region}) is already under way; a drill starts its own switchover.", null);
        if (started.Run is not { } run)
            return (false, started.Refusal!, null);
        var now = time.GetUtcNow();
        var drill = new ExerciseRecord
        {
            Id = await archive.NextIdAsync(cancellationToken), Kind = ExerciseKinds.RegionFailure, Region = run.FromRegion ?? primary, Mode = "live",
            StartedBy = actor.ToString(), StartedAt = now, Status = ExerciseStatus.Running,
        };
        drill.Facts[LiveDrillFacts.Target] = run.Region;
        drill.Facts[LiveDrillFacts.Phase] = LiveDrillFacts.Switchover;
        drill.Facts[LiveDrillFacts.SwitchoverRun] = run.Id;
        drill.Notes.Add($"Planned switchover {drill.Region} → {run.Region} started as {run.Id}.");
        await archive.SaveAsync(drill, cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(TimerId(drill.Id), ObserveKind, drill.Id, now + drillOptions.Value.ObserveEvery), cancellationToken);
        await publisher.PublishAsync(DrillCards.PostKey(drill.Id), DrillCards.Started(drill, Instructions(drill)), cancellationToken);
        return (true, $"Drill {drill.Id} started by {actor.DisplayName}: a planned region-failure exercise on the live systems, {drill.Region} → {run.Region} ({run.Id}) and back. A lead approves each run on its card.", drill);
    }

    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await idempotency.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        if (await archive.GetAsync(timer.Subject, cancellationToken) is not { IsFinished: false } drill)
            return;
        if (await AdvanceAsync(drill, cancellationToken) || time.GetUtcNow() - drill.StartedAt >= drillOptions.Value.MaxDuration)
        {
            await FinishAsync(drill, cancellationToken);
            return;
        }
        await archive.SaveAsync(drill, cancellationToken);
        await timers.ScheduleTimerAsync(timer with { DueAt = timer.DueAt + drillOptions.Value.ObserveEvery, LeaseOwner = null, LeaseUntil = null }, cancellationToken);
    }

    /// <summary>Moves the drill to its next phase when the current one is done; true when the drill is over.</summary>
    private async Task<bool> AdvanceAsync(ExerciseRecord drill, CancellationToken cancellationToken)
    {
        var primary = drill.Region!;
        var target = drill.Facts[LiveDrillFacts.Target];
        switch (drill.Facts[LiveDrillFacts.Phase])
        {
            case LiveDrillFacts.Switchover:
                if (await RunAsync(drill, LiveDrillFacts.SwitchoverRun, cancellationToken) is not { IsFinished: true } switchover)
                    return false;
                if (switchover.Outcome != RunOutcome.Succeeded)
                    return true;
                drill.Facts[LiveDrillFacts.Phase] = LiveDrillFacts.Rejoin;
                drill.Notes.Add($"{switchover.Id} succeeded; {target} is the primary. Make {primary} a replica of {target} again (pg_rewind or a new base backup with -R, or a new read replica); the failback starts when {primary} replicates.");
                await publisher.PublishAsync(DrillCards.PostKey(drill.Id), DrillCards.Started(drill, Instructions(drill)), cancellationToken);
                return false;
            case LiveDrillFacts.Rejoin:
                var status = await databases.GetStatusAsync(primary, cancellationToken);
                if (status is not { Reachable: true, IsPrimary: false, LagSeconds: <= 60 })
                    return false;
                var started = await runbooks.StartForExerciseAsync(BuiltInRunbooks.Failback, primary, Actor.System($"drill {drill.Id}"), cancellationToken);
                if (started.Run is not { } failback)
                {
                    drill.Notes.Add($"The failback could not start: {started.Refusal ?? $"{started.Running?.Id} is under way"}.");
                    return true;
                }
                drill.Facts[LiveDrillFacts.Phase] = LiveDrillFacts.Failback;
                drill.Facts[LiveDrillFacts.FailbackRun] = failback.Id;
                drill.Notes.Add($"{primary} replicates from {target} ({status.Detail}); failback started as {failback.Id}.");
                await publisher.PublishAsync(DrillCards.PostKey(drill.Id), DrillCards.Started(drill, Instructions(drill)), cancellationToken);
                return false;
            default:
                return await RunAsync(drill, LiveDrillFacts.FailbackRun, cancellationToken) is { IsFinished: true };
        }
    }

    /// <summary><c>drill check</c>: evaluates a live drill with what was measured so far and ends it; its runs go on as runs.</summary>
    public async Task FinishAsync(ExerciseRecord drill, CancellationToken cancellationToken)
    {
        var switchover = await RunAsync(drill, LiveDrillFacts.SwitchoverRun, cancellationToken);
        var failback = await RunAsync(drill, LiveDrillFacts.FailbackRun, cancellationToken);
        drill.Criteria = [.. await evaluator.EvaluateAsync(drill, switchover, failback, cancellationToken)];
        drill.Status = drill.Criteria.All(c => c.Passed) ? ExerciseStatus.Passed : ExerciseStatus.Failed;
        drill.EndedAt = time.GetUtcNow();
        await archive.SaveAsync(drill, cancellationToken);
        await timers.CancelTimerAsync(TimerId(drill.Id), cancellationToken);
        await publisher.PostAsync($"{DrillCards.PostKey(drill.Id)}:result", DrillCards.Result(drill), cancellationToken, DrillCards.PostKey(drill.Id));
    }

    private async Task<RunRecord?> RunAsync(ExerciseRecord drill, string fact, CancellationToken cancellationToken) =>
        drill.Facts.TryGetValue(fact, out var id) ? await runs.GetRunAsync(id, cancellationToken) : null;

    private static string Instructions(ExerciseRecord drill)
    {
        var (primary, target) = (drill.Region, drill.Facts[LiveDrillFacts.Target]);
        return drill.Facts[LiveDrillFacts.Phase] switch
        {
            LiveDrillFacts.Switchover => $"1. Planned switchover {primary} → {target}: approve it on its run card (a lead). 2. Then make {primary} a replica of {target}. 3. The failback starts by itself; a lead approves it. Checked: switchover, RTO, RPO, validation, failback, back on {primary}.",
            LiveDrillFacts.Rejoin => $"Switchover done. Now make {primary} a replica of {target} again (pg_rewind or a new base backup with -R, or a new read replica); the failback starts when {primary} replicates with lag under 60 s.",
            _ => $"Failback {target} → {primary} started: a lead approves it on its run card. `drill check {drill.Id}` ends the drill early.",
        };
    }

    private async Task<string> CurrentPrimaryAsync(CancellationToken cancellationToken)
    {
        foreach (var region in options.Value.Regions.Keys)
            if (await databases.GetStatusAsync(region, cancellationToken) is { Reachable: true, IsPrimary: true })
                return region;
        return options.Value.RegionWithRole(RegionRoles.Primary) ?? options.Value.Regions.Keys.First();
    }
}
