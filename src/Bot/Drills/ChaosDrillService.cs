using DrBot.Bot.Commands;
using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Drills;

/// <summary>
/// The strategy's chaos scenarios as recorded exercises: injects the scenario's faults into the
/// simulated world, watches it on a stored timer (one replica at a time), and when the scenario is
/// over (or someone says <c>drill check</c>) checks each validation criterion, posts the drill card
/// and archives the result. Live infrastructure is never touched.
/// </summary>
public sealed class ChaosDrillService(
    IServiceProvider services,
    DrillService faults,
    LiveDrillService live,
    ExerciseArchive archive,
    DrillEvaluator evaluator,
    IDatabaseReplica databases,
    ITimerStore timers,
    IIdempotencyStore idempotency,
    CardPublisher publisher,
    IOptions<DrBotOptions> options,
    IOptions<DrillOptions> drillOptions,
    TimeProvider time) : IStoredTimerHandler
{
    public const string ObserveKind = "drill-observe";

    public IReadOnlyCollection<string> Kinds { get; } = [ObserveKind];

    private DrillOptions Settings => drillOptions.Value;

    public static string TimerId(string exerciseId) => $"drill-observe:{exerciseId}";

    public async Task<(bool Ok, string Message, ExerciseRecord? Drill)> StartAsync(string scenario, string? region, Actor actor, CancellationToken cancellationToken)
    {
        var world = services.GetService<SimulatedWorld>();
        if (world is null && scenario != ExerciseKinds.RegionFailure)
            return (false, $"{scenario} injects faults, which DrBot does only in the simulated regions (DrBot:Infrastructure:Mode = Simulated). In Live mode a drill is a planned exercise on the real systems: `drill {ExerciseKinds.RegionFailure} [region]` (planned switchover, validation, failback).", null);
        if ((await archive.ListAsync(cancellationToken)).FirstOrDefault(e => !e.IsFinished && ExerciseKinds.ChaosScenarios.Contains(e.Kind)) is { } running)
            return (false, $"Drill {running.Id} ({running.Kind}) is still running: one drill at a time. `drill check {running.Id}` ends it.", null);
        if (world is null)
            return await live.StartAsync(region, actor, cancellationToken);
        var primary = await CurrentPrimaryAsync(cancellationToken);
        var secondary = options.Value.Regions.FirstOrDefault(r => r.Value.Role == RegionRoles.Secondary && !string.Equals(r.Key, primary, StringComparison.OrdinalIgnoreCase)).Key
            ?? options.Value.Regions.Keys.First(r => !string.Equals(r, primary, StringComparison.OrdinalIgnoreCase));
        var target = region ?? (scenario == ExerciseKinds.NetworkPartition ? secondary : primary);
        if ((scenario is ExerciseKinds.RegionFailure or ExerciseKinds.DatabaseFailure or ExerciseKinds.CascadingFailure) && !string.Equals(target, primary, StringComparison.OrdinalIgnoreCase))
            return (false, $"{scenario} breaks the primary region, which is {primary} now (not {target}). Say `drill {scenario}` or `drill {scenario} {primary}`.", null);
        if (scenario == ExerciseKinds.NetworkPartition && string.Equals(target, primary, StringComparison.OrdinalIgnoreCase))
            return (false, $"network-partition cuts a replica off from the primary; {target} is the primary. Name a replica region, e.g. `drill network-partition {secondary}`.", null);

        var now = time.GetUtcNow();
        var drill = new ExerciseRecord { Id = await archive.NextIdAsync(cancellationToken), Kind = scenario, Region = target, StartedBy = actor.ToString(), StartedAt = now, Status = ExerciseStatus.Running };
        foreach (var r in options.Value.Regions.Keys)
            drill.Facts[DrillFacts.Host(r)] = SimulatedWorldLayout.DatabaseHost(r);
        string instructions;
        switch (scenario)
        {
            case ExerciseKinds.RegionFailure:
                drill.Notes.Add(await faults.RunAsync(new DrillCommand("region-down", target), actor, cancellationToken));
                instructions = $"Follow the alert card: start the region failover to {secondary}; a lead approves. Checked: failover triggered, RTO, data loss.";
                break;
            case ExerciseKinds.DatabaseFailure:
                drill.Facts[DrillFacts.Marker] = $"drill:{drill.Id}";
                var marker = await databases.WriteMarkerAsync(target, drill.Facts[DrillFacts.Marker], cancellationToken);
                world.InjectDatabaseCrash(target);
                drill.Notes.Add($"Marker written before the crash: {marker.Detail}");
                drill.Notes.Add($"{target}'s PostgreSQL crashed at {now:HH:mm:ss} UTC.");
                instructions = $"Fail the database over: `failover-db {secondary}`; a lead approves. Checked: replica promoted, application reconnected, no data corruption, RTO.";
                break;
            case ExerciseKinds.NetworkPartition:
                world.InjectReplicationLag(target, Settings.PartitionLagSeconds);
                drill.Notes.Add($"{target} is cut off from the primary {primary}: replication stopped ({Settings.PartitionLagSeconds:0} s behind). The partition heals after {Views.Durations.Format(Settings.PartitionFor)}.");
                instructions = "Nothing to do: nobody should promote the cut-off replica. Checked: split-brain prevented, quorum maintained, replication resumes after healing.";
                break;
            default:
                var first = Settings.CascadeServices[0];
                world.InjectServiceDown(target, first);
                drill.Facts[DrillFacts.FailedAt(first)] = DrillFacts.Time(now);
                drill.Notes.Add($"{string.Join(" → ", Settings.CascadeServices)} fail in {target}, {Views.Durations.Format(Settings.CascadeStepEvery)} apart, each down for {Views.Durations.Format(Settings.CascadeOutage)}; {first} failed at {now:HH:mm:ss} UTC.");
                instructions = "Watch the services degrade and recover; DrBot reports each one's degradation and recovery times from the health checks.";
                break;
        }
        await archive.SaveAsync(drill, cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(TimerId(drill.Id), ObserveKind, drill.Id, now + Settings.ObserveEvery), cancellationToken);
        await publisher.PublishAsync(DrillCards.PostKey(drill.Id), DrillCards.Started(drill, instructions), cancellationToken);
        return (true, $"Drill {drill.Id} started by {actor.DisplayName}: {scenario} in {target}.", drill);
    }

    /// <summary><c>drill check [id]</c>: evaluates the running drill now and ends it.</summary>
    public async Task<(bool Ok, string Message, ExerciseRecord? Drill)> CheckAsync(string? id, Actor actor, CancellationToken cancellationToken)
    {
        var drill = id is null
            ? (await archive.ListAsync(cancellationToken)).LastOrDefault(e => !e.IsFinished && ExerciseKinds.ChaosScenarios.Contains(e.Kind))
            : await archive.GetAsync(id, cancellationToken);
        if (drill is null)
            return (false, id is null ? "No drill is running. Start one with `drill <region-failure|database-failure|network-partition|cascading-failure> [region]`." : $"No drill '{id}'. Drill ids look like EX-0001; `drills` lists them.", null);
        if (drill.IsFinished)
            return (false, $"Drill {drill.Id} already ended {drill.Status.ToString().ToLowerInvariant()}.", drill);
        if (!ExerciseKinds.ChaosScenarios.Contains(drill.Kind))
            return (false, $"{drill.Id} is a {drill.Kind} validation: it ends with its run {drill.Facts.GetValueOrDefault("run", "")} (`cancel` or `rollback` that run to stop it).", drill);
        drill.Notes.Add($"Checked by {actor.DisplayName}.");
        if (drill.Mode == "live")
            await live.FinishAsync(drill, cancellationToken);
        else
            await FinishAsync(drill, cancellationToken);
        return (true, $"Drill {drill.Id} {drill.Status.ToString().ToLowerInvariant()}: {drill.Criteria.Count(c => c.Passed)} of {drill.Criteria.Count} criteria met.", drill);
    }

    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await idempotency.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        if (await archive.GetAsync(timer.Subject, cancellationToken) is not { IsFinished: false } drill)
            return;
        var now = time.GetUtcNow();
        var over = await AdvanceScenarioAsync(drill, now, cancellationToken);
        if (over || now - drill.StartedAt >= Settings.MaxDuration)
        {
            await FinishAsync(drill, cancellationToken);
            return;
        }
        await archive.SaveAsync(drill, cancellationToken);
        await timers.ScheduleTimerAsync(timer with { DueAt = timer.DueAt + Settings.ObserveEvery, LeaseOwner = null, LeaseUntil = null }, cancellationToken);
    }

    /// <summary>Moves the scenario on (heal the partition, fail or restore the next service) and says whether it is over.</summary>
    private async Task<bool> AdvanceScenarioAsync(ExerciseRecord drill, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var world = services.GetRequiredService<SimulatedWorld>();
        switch (drill.Kind)
        {
            case ExerciseKinds.NetworkPartition:
                if (now - drill.StartedAt < Settings.PartitionFor)
                    return false;
                world.InjectReplicationLag(drill.Region!, 0);
                drill.Facts[DrillFacts.HealedAt] = DrillFacts.Time(now);
                drill.Notes.Add($"Partition healed at {now:HH:mm:ss} UTC.");
                return true;
            case ExerciseKinds.CascadingFailure:
                for (var i = 0; i < Settings.CascadeServices.Count; i++)
                {
                    var service = Settings.CascadeServices[i];
                    if (drill.ReadTime(DrillFacts.FailedAt(service)) is not { } failed)
                    {
                        if (now - drill.StartedAt >= Settings.CascadeStepEvery * i)
                        {
                            world.InjectServiceDown(drill.Region!, service);
                            drill.Facts[DrillFacts.FailedAt(service)] = DrillFacts.Time(now);
                        }
                    }
                    else if (!drill.Facts.ContainsKey(DrillFacts.RestoredAt(service)) && now - failed >= Settings.CascadeOutage)
                    {
                        world.RestoreService(drill.Region!, service);
                        drill.Facts[DrillFacts.RestoredAt(service)] = DrillFacts.Time(now);
                    }
                }
                await evaluator.ObserveCascadeAsync(drill, now, cancellationToken);
                return Settings.CascadeServices.All(s => drill.Facts.ContainsKey(DrillFacts.SeenUp(s)));
            default:
                var runbooks = drill.Kind == ExerciseKinds.RegionFailure ? new[] { "region-failover" } : ["database-failover", "region-failover"];
                return await evaluator.FailoverAfterAsync(drill, runbooks, cancellationToken) is { IsFinished: true };
        }
    }

    private async Task FinishAsync(ExerciseRecord drill, CancellationToken cancellationToken)
    {
        drill.Criteria = [.. await evaluator.EvaluateAsync(drill, cancellationToken)];
        drill.Status = drill.Criteria.All(c => c.Passed) ? ExerciseStatus.Passed : ExerciseStatus.Failed;
        drill.EndedAt = time.GetUtcNow();
        // The injected faults end with the drill; roles and endpoints stay as the runbooks left them.
        services.GetRequiredService<SimulatedWorld>().ClearFaults(drill.Region);
        drill.Notes.Add($"Faults in {drill.Region} cleared at {drill.EndedAt:HH:mm:ss} UTC.");
        await archive.SaveAsync(drill, cancellationToken);
        await timers.CancelTimerAsync(TimerId(drill.Id), cancellationToken);
        await publisher.PostAsync($"{DrillCards.PostKey(drill.Id)}:result", DrillCards.Result(drill), cancellationToken, DrillCards.PostKey(drill.Id));
    }

    private async Task<string> CurrentPrimaryAsync(CancellationToken cancellationToken)
    {
        foreach (var region in options.Value.Regions.Keys)
            if (await databases.GetStatusAsync(region, cancellationToken) is { Reachable: true, IsPrimary: true })
                return region;
        return options.Value.Regions.FirstOrDefault(r => r.Value.Role == RegionRoles.Primary).Key ?? options.Value.Regions.Keys.First();
    }
}
