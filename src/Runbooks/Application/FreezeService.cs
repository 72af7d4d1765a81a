using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Freeze;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Application;

/// <summary>
/// The one lever that stops everything (as AWS FIS's stop condition does): <c>freeze [reason]</c> by a
/// lead refuses every new run (a person's, the health monitor's, a scheduled drill's) and holds every
/// running one at its next step boundary; <c>unfreeze</c> lets them go on. The freeze is in the store,
/// so it holds across replicas and restarts. The role check fails closed: not on the roster, or
/// without the role the policy names (<c>DrBot:Permissions:freeze</c>, lead by default), is refused and audited.
/// </summary>
public sealed class FreezeService(
    IDrBotStore store,
    Roster roster,
    IRunQueue queue,
    TimeProvider time,
    IOptions<DrBotOptions> options,
    IEnumerable<IRunProjection> projections,
    CommandPermissions? permissions = null,
    IOutboxWakeUp? wakeUp = null)
{
    public const string FreezeCommand = "freeze";
    public const string UnfreezeCommand = "unfreeze";

    private readonly RunFreeze _freeze = new(store);
    private readonly AuditLog _audit = new(store, time, options);

    public Task<FreezeState?> CurrentAsync(CancellationToken cancellationToken) => _freeze.CurrentAsync(cancellationToken);

    public async Task<FreezeOutcome> FreezeAsync(Actor who, string? reason, CancellationToken cancellationToken)
    {
        if (await RefusalAsync(FreezeCommand, who, cancellationToken) is { } refused)
        {
            return FreezeOutcome.Refused(refused);
        }
        if (await _freeze.CurrentAsync(cancellationToken) is { } active)
        {
            return FreezeOutcome.Refused($"Already frozen by {active.DisplayName}: {active.Reason} (since {active.At:HH:mm} UTC). Nothing changed.");
        }
        var person = roster.ByName(who.PersonName)!;
        var state = new FreezeState(person.Name, person.DisplayName, string.IsNullOrWhiteSpace(reason) ? "no reason given" : reason.Trim(), time.GetUtcNow());
        await _freeze.SetAsync(state, cancellationToken);
        await _audit.RecordAsync(who.ToString(), "freeze", "runs", state.Reason, cancellationToken);
        await RefreshCardsAsync($"frozen by {state.DisplayName}: {state.Reason}", cancellationToken);
        return FreezeOutcome.Done($"{state.DisplayName} froze DrBot: {state.Reason}. No run starts, and running ones wait at their next step, until a lead types `unfreeze`.", state);
    }

    public async Task<FreezeOutcome> UnfreezeAsync(Actor who, CancellationToken cancellationToken)
    {
        if (await RefusalAsync(UnfreezeCommand, who, cancellationToken) is { } refused)
        {
            return FreezeOutcome.Refused(refused);
        }
        if (await _freeze.CurrentAsync(cancellationToken) is not { } active)
        {
            return FreezeOutcome.Refused("DrBot is not frozen; nothing changed.");
        }
        await _freeze.SetAsync(null, cancellationToken);
        await _audit.RecordAsync(who.ToString(), "unfreeze", "runs", $"ends the freeze by {active.DisplayName}: {active.Reason}", cancellationToken);
        var held = await RefreshCardsAsync($"unfrozen by {who.DisplayName}", cancellationToken);
        // The runs held at a step boundary go on (those at a gate keep waiting for their decision; a child run is driven by its parent).
        foreach (var run in held.Where(r => r.PendingGate() is null && r.ParentRunId is null))
        {
            queue.Enqueue(run.Id);
        }
        return FreezeOutcome.Done($"{who.DisplayName} unfroze DrBot (frozen by {active.DisplayName}: {active.Reason}). Runs go on from where they waited.", null);
    }

    private async Task<string?> RefusalAsync(string command, Actor who, CancellationToken cancellationToken)
    {
        var person = roster.ByName(who.PersonName);
        var why = person is null
            ? $"{who} is not on the roster"
            : permissions is not null
                ? permissions.Refusal(command, person, isCommander: false)
                : person.HasRole(Roles.Lead) ? null : $"`{command}` needs role {Roles.Lead}; {person.DisplayName} has {(person.Roles.Count == 0 ? "no role" : string.Join(", ", person.Roles))}";
        if (why is null)
        {
            return null;
        }
        await _audit.RecordAsync(who.ToString(), $"{command}-refused", "runs", why, cancellationToken);
        return $"Refused: {why}. Nothing changed.";
    }

    /// <summary>Every unfinished run's card shows (or drops) the freeze now, not at its next change.</summary>
    private async Task<IReadOnlyList<Runs.RunRecord>> RefreshCardsAsync(string detail, CancellationToken cancellationToken)
    {
        var unfinished = (await store.ListRunsAsync(unfinishedOnly: true, cancellationToken)).Where(r => !r.IsFinished).ToList();
        var messages = new List<OutboxMessage>();
        foreach (var run in unfinished)
        {
            foreach (var projection in projections)
            {
                try
                {
                    messages.AddRange(await projection.ProjectAsync(run, new RunChange(RunChangeKind.FreezeChanged, null, detail), cancellationToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not StoreUnavailableException)
                {
                    // The freeze is recorded already; a card that cannot be drawn now shows it at the run's next change.
                }
            }
        }
        if (messages.Count > 0 && await store.TryCommitAsync(new StoreCommit([], [], messages), time.GetUtcNow(), cancellationToken))
        {
            wakeUp?.Notify();
        }
        return unfinished;
    }
}

/// <summary>The answer to <c>freeze</c> / <c>unfreeze</c>: done (with the freeze now active, if any), or refused saying why.</summary>
public sealed record FreezeOutcome(bool Ok, string Message, FreezeState? State)
{
    public static FreezeOutcome Done(string message, FreezeState? state) => new(true, message, state);
    public static FreezeOutcome Refused(string message) => new(false, message, null);
}
