using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Drills;

/// <summary>Starts a validation exercise (backup-restore, data-consistency) when the schedule's Start is clicked.</summary>
public interface IValidationStarter
{
    Task<(bool Ok, string Message, ExerciseRecord? Record)> StartAsync(string kind, Actor actor, CancellationToken cancellationToken);
}

/// <summary>
/// The testing schedule (<c>DrBot:Drills:Schedule</c>) on stored timers, so each due drill is
/// announced once across replicas: a "drill due" card with Start drill / Postpone for a lead
/// (nothing runs unapproved), and an escalation to the engineering lead when it stays undone past
/// the grace period.
/// </summary>
public sealed class DrillScheduler(
    IServiceProvider services,
    ITimerStore timers,
    IIdempotencyStore values,
    ChaosDrillService chaos,
    CardPublisher publisher,
    Roster roster,
    IOptions<DrillOptions> options,
    TimeProvider time) : IStoredTimerHandler
{
    public const string DueKind = "drill-due";
    public const string OverdueKind = "drill-overdue";
    private const string Again = "again";

    public IReadOnlyCollection<string> Kinds { get; } = [DueKind, OverdueKind];

    private DrillOptions Settings => options.Value;

    public static string DueTimerId(string name) => $"drill-due:{name}";
    public static string AgainTimerId(string name) => $"drill-due-again:{name}";
    public static string OverdueTimerId(string name) => $"drill-overdue:{name}";

    /// <summary>At start: every enabled line gets its next due timer unless it has one (safe on several replicas at once: same id, same time).</summary>
    public async Task EnsureTimersAsync(CancellationToken cancellationToken)
    {
        var existing = (await timers.ListTimersAsync(cancellationToken)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var (name, entry) in Settings.Schedule.Where(e => e.Value.Enabled))
            if (!existing.Contains(DueTimerId(name)))
                await timers.ScheduleTimerAsync(new ScheduledTimer(DueTimerId(name), DueKind, name, entry.NextAfter(now)), cancellationToken);
    }

    public async Task<DrillScheduleState> GetStateAsync(string name, CancellationToken cancellationToken) =>
        await values.GetValueAsync(DrillScheduleState.Key(name), cancellationToken) is { } json ? StoreJson.Read<DrillScheduleState>(json) : new DrillScheduleState(name);

    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await values.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        if (!Settings.Schedule.TryGetValue(timer.Subject, out var entry) || !entry.Enabled)
            return;
        var state = await GetStateAsync(timer.Subject, cancellationToken);
        if (timer.Kind == OverdueKind)
        {
            if (state is { IsPending: true, Escalated: false, DueAt: { } due })
            {
                var targets = roster.WithRole(Settings.EscalationRole);
                await publisher.PostAsync($"drill-overdue:{timer.Subject}:{state.PendingSince!.Value.UtcTicks}:{state.Postponements}",
                    DrillScheduleCards.Overdue(timer.Subject, entry, state, targets, time.GetUtcNow() - due), cancellationToken, DrillScheduleCards.PostKey(timer.Subject, state.PendingSince.Value));
                await SaveAsync(state with { Escalated = true }, cancellationToken);
            }
            return;
        }
        if (timer.Payload == Again)
        {
            if (state.IsPending)
                await PostDueAsync(timer.Subject, entry, state, cancellationToken);
            return;
        }
        // A new occurrence; one still waiting keeps its place (it is already overdue or postponed).
        if (!state.IsPending)
        {
            state = state with { PendingSince = timer.DueAt, DueAt = timer.DueAt, Postponements = 0, Escalated = false };
            await SaveAsync(state, cancellationToken);
            await timers.ScheduleTimerAsync(new ScheduledTimer(OverdueTimerId(timer.Subject), OverdueKind, timer.Subject, timer.DueAt + Settings.OverdueGrace), cancellationToken);
            await PostDueAsync(timer.Subject, entry, state, cancellationToken);
        }
        await timers.ScheduleTimerAsync(timer with { DueAt = entry.NextAfter(timer.DueAt), LeaseOwner = null, LeaseUntil = null }, cancellationToken);
    }

    /// <summary>Start drill: a lead's decision; the first decision on an occurrence wins.</summary>
    public async Task<(bool Ok, string Message)> StartAsync(string name, Actor actor, CancellationToken cancellationToken, string? occurrence = null)
    {
        // A freeze stops scheduled drills too; the occurrence stays due and undecided.
        if (await new Runbooks.Freeze.RunFreeze(values).CurrentAsync(cancellationToken) is { } frozen)
            return (false, $"{name} could not start: {frozen.StartRefusal}");
        var (problem, entry, state) = await ClaimDecisionAsync(name, actor, occurrence, cancellationToken);
        if (problem is not null)
            return (false, problem);
        (bool Ok, string Message, ExerciseRecord? Record) started = ExerciseKinds.ChaosScenarios.Contains(entry.Exercise)
            ? await chaos.StartAsync(entry.Exercise, entry.Region, actor, cancellationToken)
            : services.GetService<IValidationStarter>() is { } validations
                ? await validations.StartAsync(entry.Exercise, actor, cancellationToken)
                : (false, $"{entry.Exercise} cannot be started from the schedule on this bot.", null);
        if (!started.Ok)
        {
            // The occurrence stays due; a later click may try again under a new decision key.
            await SaveAsync(state with { RefusedStarts = state.RefusedStarts + 1 }, cancellationToken);
            return (false, $"{name} could not start: {started.Message}");
        }
        await SaveAsync(state with { PendingSince = null, DueAt = null, Escalated = false, LastStartedAt = time.GetUtcNow(), LastExerciseId = started.Record?.Id, LastDecisionBy = actor.DisplayName }, cancellationToken);
        await timers.CancelTimerAsync(OverdueTimerId(name), cancellationToken);
        await timers.CancelTimerAsync(AgainTimerId(name), cancellationToken);
        await publisher.PublishAsync(DrillScheduleCards.PostKey(name, state.PendingSince!.Value), DrillScheduleCards.Decided(name, entry, $"started by {actor.DisplayName} as {started.Record?.Id}"), cancellationToken);
        return (true, $"{actor.DisplayName} started the scheduled drill {name}: {started.Message}");
    }

    /// <summary>Postpone: moves the due time by <see cref="DrillOptions.PostponeBy"/>; the card comes back then, the escalation later.</summary>
    public async Task<(bool Ok, string Message)> PostponeAsync(string name, Actor actor, CancellationToken cancellationToken, string? occurrence = null)
    {
        var (problem, entry, state) = await ClaimDecisionAsync(name, actor, occurrence, cancellationToken);
        if (problem is not null)
            return (false, problem);
        var due = time.GetUtcNow() + Settings.PostponeBy;
        await SaveAsync(state with { DueAt = due, Postponements = state.Postponements + 1, Escalated = false, LastDecisionBy = actor.DisplayName }, cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(AgainTimerId(name), DueKind, name, due, Again), cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(OverdueTimerId(name), OverdueKind, name, due + Settings.OverdueGrace), cancellationToken);
        await publisher.PublishAsync(DrillScheduleCards.PostKey(name, state.PendingSince!.Value), DrillScheduleCards.Decided(name, entry, $"postponed by {actor.DisplayName} to {due:yyyy-MM-dd HH:mm} UTC"), cancellationToken);
        return (true, $"{actor.DisplayName} postponed {name} to {due:yyyy-MM-dd HH:mm} UTC.");
    }

    /// <summary>Every enabled line: next due time, whether it waits for a decision (overdue once past its due time), last start.</summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(CancellationToken cancellationToken)
    {
        var scheduled = (await timers.ListTimersAsync(cancellationToken)).ToDictionary(t => t.Id, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var lines = new List<string>();
        foreach (var (name, entry) in Settings.Schedule.Where(e => e.Value.Enabled).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var state = await GetStateAsync(name, cancellationToken);
            var next = scheduled.TryGetValue(DueTimerId(name), out var t) ? $"next {t.DueAt:yyyy-MM-dd HH:mm} UTC" : "not scheduled";
            var pending = state is { IsPending: true, DueAt: { } due }
                ? due <= now ? $"⚠ OVERDUE since {due:yyyy-MM-dd HH:mm} UTC (Start or Postpone on its card, or `drill start {name}`)" : $"postponed to {due:yyyy-MM-dd HH:mm} UTC"
                : "";
            var last = state.LastStartedAt is { } l ? $"last started {l:yyyy-MM-dd HH:mm} UTC ({state.LastExerciseId})" : "never started";
            lines.Add($"🗓 {name} ({entry.Exercise}, {entry.Describe()}): {next}; {last}{(pending.Length == 0 ? "" : "; " + pending)}");
        }
        return lines;
    }

    /// <summary>
    /// Checks that <paramref name="actor"/> may decide the pending occurrence of <paramref name="name"/> (the one
    /// <paramref name="occurrence"/> names, when a card button sent it) and claims the decision: the first one wins.
    /// </summary>
    private async Task<(string? Problem, DrillScheduleEntry Entry, DrillScheduleState State)> ClaimDecisionAsync(
        string name, Actor actor, string? occurrence, CancellationToken cancellationToken)
    {
        if (!Settings.Schedule.TryGetValue(name, out var entry) || !entry.Enabled)
            return ($"No scheduled drill '{name}' (valid: {string.Join(", ", Settings.Schedule.Where(e => e.Value.Enabled).Select(e => e.Key))}).", null!, null!);
        if (roster.ByName(actor.PersonName) is not { } person || !person.HasRole(Settings.DecisionRole))
            return ($"Only a {Settings.DecisionRole} starts or postpones a scheduled drill; {actor.DisplayName} is not one.", entry, null!);
        var state = await GetStateAsync(name, cancellationToken);
        if (!state.IsPending)
            return ($"{name} is not due: nothing to decide.", entry, state);
        // A button of a card someone has already decided (a stale card): the first decision won.
        if (occurrence is not null && occurrence != state.DecisionKey)
            return ($"{name} was already decided by {state.LastDecisionBy ?? "someone else"}" + (state.DueAt is { } due ? $"; it is due {due:yyyy-MM-dd HH:mm} UTC" : "") + ".", entry, state);
        if (!await values.TryClaimIdempotencyKeyAsync(state.DecisionKey, time.GetUtcNow(), cancellationToken))
            return ($"{name} was already decided by {(await GetStateAsync(name, cancellationToken)).LastDecisionBy ?? "someone else"}.", entry, state);
        return (null, entry, state);
    }

    private async Task PostDueAsync(string name, DrillScheduleEntry entry, DrillScheduleState state, CancellationToken cancellationToken) =>
        await publisher.PublishAsync(DrillScheduleCards.PostKey(name, state.PendingSince!.Value),
            DrillScheduleCards.Due(name, entry, state, roster.WithRole(Settings.DecisionRole), Settings.DecisionRole, Settings.OverdueGrace), cancellationToken);

    private Task SaveAsync(DrillScheduleState state, CancellationToken cancellationToken) =>
        values.SetValueAsync(DrillScheduleState.Key(state.Name), StoreJson.Write(state), cancellationToken);
}

/// <summary>Gives every schedule line its first timer when the bot starts.</summary>
public sealed partial class DrillScheduleSeeder(DrillScheduler scheduler, ILogger<DrillScheduleSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.EnsureTimersAsync(cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            // The bot still starts; the next start (or a replica) seeds the timers.
            LogSeedFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = HostLogEvents.DrillScheduleSeedFailed, Level = LogLevel.Warning, Message = "Could not seed the drill schedule's timers")]
    private partial void LogSeedFailed(Exception ex);
}
