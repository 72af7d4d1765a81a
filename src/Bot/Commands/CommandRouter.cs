using System.Globalization;
using DrBot.Bot.Channels;
using DrBot.Bot.Drills;
using DrBot.Bot.Incidents;
using DrBot.Bot.Runs;
using DrBot.Bot.Strategy;
using DrBot.Bot.Views;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Commands;

/// <summary>
/// The channel-neutral front door: every platform hands its normalised input here. Commands and
/// card clicks become engine and incident calls; the answer is immediate, long work runs in the
/// background and reports through the outbox. People not on the roster may read, not act.
/// </summary>
public sealed partial class CommandRouter(
    CommandParser parser,
    RunbookService runbooks,
    RunQueries runs,
    RunbookEngine engine,
    RunbookCatalog catalog,
    RunCardProjection cards,
    IncidentWorkflow workflow,
    IncidentService incidents,
    DrillService drills,
    StrategyCommandHandler strategy,
    IIdempotencyStore store,
    IOptions<DrBotOptions> options,
    TimeProvider time,
    ILogger<CommandRouter> logger,
    StatusPage.PublicUpdatePublisher publicUpdates,
    Monitoring.FlapGuard flapGuard,
    FreezeService freeze) : IChatInputHandler
{
    /// <summary>Beginning of the key a delivered command or click claims (retention may drop it after days).</summary>
    public const string InputKeyPrefix = "input:";

    public async Task<ChatReply> HandleAsync(ChatInput input, CancellationToken cancellationToken)
    {
        try
        {
            if (input.DeliveryId is { } delivery && !await store.TryClaimIdempotencyKeyAsync($"{InputKeyPrefix}{input.Channel}:{delivery}", time.GetUtcNow(), cancellationToken))
                return ChatReply.PrivateText("Already handled: this delivery was received before.");
            return input.Action is { } action
                ? await HandleActionAsync(input, action, cancellationToken)
                : await HandleTextAsync(input, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            LogStoreUnavailable(ex);
            // The store's own message (hosts, SQL) goes to the log, not to chat.
            return ChatReply.Error("DrBot cannot reach its store, so it refuses to act unrecorded. Nothing was done; try again shortly.");
        }
    }

    private async Task<ChatReply> HandleTextAsync(ChatInput input, CancellationToken cancellationToken)
    {
        var parsed = parser.Parse(input.Text);
        if (parsed.Command is not { } command)
            return ChatReply.PrivateText(parsed.Error!);
        if (command is HelpCommand)
            return ChatReply.PrivateText(CommandParser.Usage);
        if (command is ListRunbooksCommand)
            return ChatReply.PrivateText("Runbooks:\n" + string.Join("\n", catalog.All.Select(r => $"• {r.Name} — {r.Title} ({r.Steps.Count} steps)")));
        if (command is ShowRunbookCommand show)
            return ShowRunbook(show.Runbook);
        if (command is RunStatusCommand runStatus)
            return await CurrentCardAsync(runStatus.RunId, $"Current state of {runStatus.RunId}:", cancellationToken);
        if (command is IncidentActionCommand { Verb: IncidentVerb.Status } status)
            return await StatusAsync(status.IncidentId, cancellationToken);

        if (command is StrategyCommand feature)
            return await strategy.HandleAsync(feature, input.User.ToActor(input.Channel), cancellationToken);

        // Everything below changes something: only people on the roster may do it.
        var actor = input.User.ToActor(input.Channel);
        if (!actor.IsKnown)
            return NotOnRoster(input);
        return command switch
        {
            StartRunbookCommand { Practice: true } practice => await StartPracticeAsync(practice.Runbook, practice.Region, actor, cancellationToken),
            StartRunbookCommand start => await StartRunbookAsync(start.Runbook, start.Region, null, actor, cancellationToken),
            OpenIncidentCommand open => Answer(await workflow.OpenAsync(new OpenIncidentRequest(open.Severity, open.Title, actor), cancellationToken), i => $"Opened {i.Id} ({i.Severity}): {i.Title}"),
            IncidentActionCommand act => await IncidentActionAsync(act.Verb, act.IncidentId, actor, cancellationToken),
            SetCommanderCommand commander => await WithIncidentAsync(commander.IncidentId, cancellationToken, async id =>
                Answer(await incidents.SetCommanderAsync(id, commander.Person, actor, cancellationToken), i => $"{i.Commander} is now commander of {i.Id}.")),
            HumanUpdateCommand update => await WithIncidentAsync(null, cancellationToken, async id =>
                Answer(await incidents.AddHumanUpdateAsync(id, update.Text, actor, cancellationToken), i => $"Update recorded on {i.Id}.")),
            PublicUpdateCommand update => await WithIncidentAsync(null, cancellationToken, async id =>
                ChatReply.Public(await publicUpdates.PublishAsync(id, update.Text, actor, cancellationToken))),
            DecideCommand decide => await DecideTypedAsync(decide, actor, cancellationToken),
            CancelRunCommand cancel => await CancelAsync(cancel.RunId, actor, cancellationToken),
            PointOfNoReturnCommand after => await AfterPointOfNoReturnTypedAsync(after, actor, cancellationToken),
            DrillCommand drill => ChatReply.Public(await drills.RunAsync(drill, actor, cancellationToken)),
            FreezeCommand f => Answer(await freeze.FreezeAsync(actor, f.Reason, cancellationToken)),
            UnfreezeCommand => Answer(await freeze.UnfreezeAsync(actor, cancellationToken)),
            _ => ChatReply.PrivateText(CommandParser.Usage),
        };
    }

    private async Task<ChatReply> HandleActionAsync(ChatInput input, CardAction action, CancellationToken cancellationToken)
    {
        var actor = input.User.ToActor(input.Channel);
        string? Get(string key) => action.Data.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;

        if (action.Verb == CardVerbs.Refresh)
            return await CurrentCardAsync(Get(CardVerbs.RunId), "", cancellationToken);
        if (!actor.IsKnown)
            return NotOnRoster(input);

        switch (action.Verb)
        {
            case CardVerbs.Approve or CardVerbs.Reject or CardVerbs.Done:
                if (Get(CardVerbs.RunId) is not { } runId || Get(CardVerbs.StepId) is not { } stepId)
                    return ChatReply.Error("This button is missing its run id or step id; use the latest card or type `approve <run-id>`.");
                // Without the card's version a stale card cannot be told from the current one.
                if (!int.TryParse(Get(CardVerbs.Version), NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
                    return ChatReply.Error($"This button carries no card version, so DrBot cannot tell whether the card is current; use the latest card or type `{action.Verb} {runId} {stepId}`.");
                return await DecideClickAsync(new GateDecisionRequest(runId, stepId, actor, action.Verb is CardVerbs.Approve or CardVerbs.Done, Get(CardVerbs.Reason), version,
                    Get(CardVerbs.Facts), Get(CardVerbs.Confirm)), cancellationToken);
            case CardVerbs.RetryStep or CardVerbs.SkipStep or CardVerbs.RollBackAnyway:
                if (Get(CardVerbs.RunId) is not { } stoppedRun || Get(CardVerbs.StepId) is not { } failedStep)
                    return ChatReply.Error("This button is missing its run id or step id; use the latest card or type `retry|skip|rollback <run-id>`.");
                var choice = action.Verb switch { CardVerbs.RetryStep => AfterPointOfNoReturn.Retry, CardVerbs.SkipStep => AfterPointOfNoReturn.Skip, _ => AfterPointOfNoReturn.RollBack };
                if (!int.TryParse(Get(CardVerbs.Version), NumberStyles.Integer, CultureInfo.InvariantCulture, out var cardVersion))
                    return ChatReply.Error($"This button carries no card version, so DrBot cannot tell whether the card is current; use the latest card or type `{PointOfNoReturnWord(choice)} {stoppedRun} [reason]`.");
                return await AfterPointOfNoReturnAsync(new PointOfNoReturnRequest(stoppedRun, failedStep, actor, choice, Get(CardVerbs.Reason), cardVersion), cancellationToken);
            case CardVerbs.StartRunbook:
                if (Get(CardVerbs.Runbook) is not { } runbook || Get(CardVerbs.Region) is not { } region)
                    return ChatReply.Error("This button is missing its runbook or region.");
                return await StartRunbookAsync(runbook, region, Get(CardVerbs.IncidentId), actor, cancellationToken);
            case CardVerbs.DismissFailover:
                if (Get(CardVerbs.Region) is not { } flapping)
                    return ChatReply.Error("This button is missing its region; nothing was dismissed.");
                return ChatReply.Public(await flapGuard.DismissAsync(flapping, Get(CardVerbs.IncidentId), actor, cancellationToken));
            case CardVerbs.Acknowledge:
                return await IncidentActionAsync(IncidentVerb.Ack, Get(CardVerbs.IncidentId), actor, cancellationToken);
            case var verb when StrategyCommandHandler.Verbs.Contains(verb):
                return await strategy.HandleActionAsync(verb, action.Data, actor, cancellationToken);
            default:
                return ChatReply.Error($"Unknown card action '{action.Verb}'. Valid: approve, reject, done, retry-step, skip-step, roll-back-anyway, start-runbook, dismiss-failover, ack, refresh.");
        }
    }

    private async Task<ChatReply> StartRunbookAsync(string runbook, string region, string? incidentId, Actor actor, CancellationToken cancellationToken)
    {
        if (catalog.Find(runbook) is null)
            return ChatReply.PrivateText($"Unknown runbook '{runbook}'. Runbooks: {string.Join(", ", catalog.All.Select(r => r.Name))}.");
        // A validation is an exercise of its own, not part of an incident: it is archived and carded as `validate` does.
        if (BuiltInRunbooks.Validations.Contains(runbook) && incidentId is null)
            return await strategy.HandleAsync(new ValidateCommand(runbook.ToLowerInvariant(), region), actor, cancellationToken);
        // Two failovers to the same region at once would fight over the same systems: said before an
        // incident is opened for nothing; the service's claim decides when two starts race.
        if (await runbooks.UnderWayAsync(runbook, region, cancellationToken) is { } underWay)
            return AlreadyRunning(underWay);
        if (RegionRules.RefuseTarget(options.Value, runbook, region) is { } refused)
            return ChatReply.PrivateText(refused);
        // Frozen: refused before an incident is opened for a run that would not start.
        if (await freeze.CurrentAsync(cancellationToken) is { } frozen)
            return ChatReply.Error(frozen.StartRefusal);
        // The run belongs to the P1 of the region it leaves; without one, it opens that P1.
        var leaving = await engine.RegionLeftAsync(region, cancellationToken);
        incidentId ??= (await incidents.ListOpenAsync(cancellationToken))
            .Where(i => i.Severity == "P1" && string.Equals(i.Region, leaving, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(i => i.OpenedAt).FirstOrDefault()?.Id;
        if (incidentId is null)
        {
            var opened = await workflow.OpenAsync(new OpenIncidentRequest("P1", $"{runbook} from {leaving ?? "?"} to {region}", actor, Region: leaving), cancellationToken);
            if (!opened.Ok)
                return ChatReply.Error(opened.Message);
            incidentId = opened.Incident!.Id;
        }
        var started = await runbooks.StartForIncidentAsync(runbook, region, incidentId, actor, cancellationToken);
        if (started.Running is { } running)
            return AlreadyRunning(running);
        if (started.Run is not { } run)
            return ChatReply.PrivateText(started.Refusal!);
        return ChatReply.Public($"{actor.DisplayName} started {run.Runbook} → {run.Region} as {run.Id} on {incidentId}. Pre-checks are running; a lead approves on the card.");
    }

    /// <summary>A practice run: no incident is opened (nobody is paged), it runs in the channel, and its card says it changes nothing.</summary>
    private async Task<ChatReply> StartPracticeAsync(string runbook, string region, Actor actor, CancellationToken cancellationToken)
    {
        if (BuiltInRunbooks.Validations.Contains(runbook))
            return ChatReply.PrivateText($"{runbook} is a validation, an exercise already: run it with `validate {runbook}`; only failover runbooks have a practice mode.");
        var started = await runbooks.StartPracticeAsync(runbook, region, actor, cancellationToken);
        if (started.Running is { } running)
            return AlreadyRunning(running);
        if (started.Run is not { } run)
            return ChatReply.PrivateText(started.Refusal!);
        return ChatReply.Public($"{actor.DisplayName} started a practice of {run.Runbook} → {run.Region} as {run.Id}: every action is verified and described, nothing changes; gates are decided as in a real run.");
    }

    private static ChatReply AlreadyRunning(RunRecord running) => ChatReply.PrivateText(
        $"{running.Id} ({running.Runbook} → {running.Region}) is already under way, started by {running.StartedBy}; follow its card, or `cancel {running.Id}` first.");

    private async Task<ChatReply> DecideAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        var result = await runbooks.DecideAsync(request, cancellationToken);
        var current = await CurrentCardAsync(request.RunId, result.Message, cancellationToken);
        return result.Applied
            ? ChatReply.Public(result.Message, current.Card)
            : new ChatReply(result.Message, Private: true, current.Card, IsError: true);
    }

    /// <summary>
    /// A click on Approve: a gate's card carries the digest of the facts it showed, so a click without one (an old
    /// card) cannot be bound to what its clicker saw and is refused with the current card (fail closed).
    /// </summary>
    private async Task<ChatReply> DecideClickAsync(GateDecisionRequest request, CancellationToken cancellationToken)
    {
        if (request.Approve && request.FactsDigest is null && await runs.GetAsync(request.RunId, cancellationToken) is { } run
            && catalog.Find(run.Runbook)?.Step(request.StepId) is { Kind: StepKind.Gate })
        {
            var current = await CurrentCardAsync(request.RunId, "", cancellationToken);
            return new ChatReply("This button carries no digest of the facts its card showed, so the approval cannot be bound to them; nothing was approved. Use the current card.", Private: true, current.Card, IsError: true);
        }
        return await DecideAsync(request, cancellationToken);
    }

    private async Task<ChatReply> DecideTypedAsync(DecideCommand decide, Actor actor, CancellationToken cancellationToken)
    {
        var (target, problem) = await runbooks.FindWaitingAsync(decide.RunId, cancellationToken);
        if (target is null)
            return ChatReply.PrivateText(problem!);
        var definition = catalog.Find(target.Runbook)!;
        var gate = RunbookCard.PendingGate(target, definition)!;
        // A typed decision must name the gate it decides, or it could decide a gate the person never saw;
        // a destructive gate needs its target typed in a box, so a typed approve gets the box.
        var reason = TypedDecision.NamedGate(decide.Reason, gate.Id);
        if (reason is null || (decide.Approve && gate.Destructive))
            return TypedDecision.Confirm(target, definition, gate, decide.Approve, reason ?? decide.Reason);
        return await DecideAsync(new GateDecisionRequest(target.Id, gate.Id, actor, decide.Approve, reason.Length == 0 ? null : reason, target.Version), cancellationToken);
    }

    private async Task<ChatReply> AfterPointOfNoReturnAsync(PointOfNoReturnRequest request, CancellationToken cancellationToken)
    {
        var result = await runbooks.DecideAfterPointOfNoReturnAsync(request, cancellationToken);
        var current = await CurrentCardAsync(request.RunId, result.Message, cancellationToken);
        return result.Applied
            ? ChatReply.Public(result.Message, current.Card)
            : new ChatReply(result.Message, Private: true, current.Card, IsError: true);
    }

    private async Task<ChatReply> AfterPointOfNoReturnTypedAsync(PointOfNoReturnCommand command, Actor actor, CancellationToken cancellationToken)
    {
        var stopped = await runbooks.StoppedPastPointOfNoReturnAsync(command.RunId, cancellationToken);
        if (stopped.Count != 1)
            return ChatReply.PrivateText(stopped.Count == 0
                ? "No run is stopped past the point of no return" + (command.RunId is null ? "." : $" with id {command.RunId}.")
                : $"Several runs are stopped: {string.Join(", ", stopped.Select(r => r.Id))}. Say which: `retry|skip|rollback <run-id>`.");
        var run = stopped[0];
        // Like a typed approve: a choice that does not name its run could decide a stop the person never saw.
        if (command.RunId is null)
        {
            var title = run.Step(run.Facts[PointOfNoReturn.GateFact])?.Title ?? run.State;
            var card = await CurrentCardAsync(run.Id, "", cancellationToken);
            return new ChatReply($"{run.Id} ({run.Runbook} → {run.Region}) is stopped past the point of no return at \"{title}\". " +
                $"Name the run to decide: `{PointOfNoReturnWord(command.Choice)} {run.Id} [reason]`, or use the buttons on its card.", Private: true, card.Card);
        }
        return await AfterPointOfNoReturnAsync(new PointOfNoReturnRequest(run.Id, run.Facts[PointOfNoReturn.GateFact], actor, command.Choice, command.Reason, run.Version), cancellationToken);
    }

    private static string PointOfNoReturnWord(AfterPointOfNoReturn choice) =>
        choice switch { AfterPointOfNoReturn.Retry => "retry", AfterPointOfNoReturn.Skip => "skip", _ => "rollback" };

    private async Task<ChatReply> CancelAsync(string runId, Actor actor, CancellationToken cancellationToken)
    {
        var run = await runbooks.CancelAsync(runId, actor, "cancelled from chat", cancellationToken);
        return run is null
            ? ChatReply.PrivateText($"No unfinished run {runId}.")
            : ChatReply.Public($"{actor.DisplayName} cancelled {run.Id} ({run.Runbook} → {run.Region}).");
    }

    private async Task<ChatReply> CurrentCardAsync(string? runId, string text, CancellationToken cancellationToken)
    {
        if (runId is null || await runs.GetAsync(runId, cancellationToken) is not { } run)
            return ChatReply.PrivateText($"No run {runId}.");
        // A child run is shown (and its gates decided) on its parent's card.
        if (run.ParentRunId is { } parentId && await runs.GetAsync(parentId, cancellationToken) is { } parent)
            run = parent;
        return ChatReply.Public(text, await cards.BuildCardAsync(run, cancellationToken));
    }

    private async Task<ChatReply> IncidentActionAsync(IncidentVerb verb, string? id, Actor actor, CancellationToken cancellationToken) =>
        await WithIncidentAsync(id, cancellationToken, async incidentId => verb switch
        {
            IncidentVerb.Ack => Answer(await workflow.AcknowledgeAsync(incidentId, actor, cancellationToken), i => $"{actor.DisplayName} acknowledged {i.Id}; escalation stopped."),
            IncidentVerb.Resolve => Answer(await workflow.ResolveAsync(incidentId, actor, cancellationToken), i => $"{i.Id} resolved."),
            _ => Answer(await workflow.CloseAsync(incidentId, actor, cancellationToken), i => $"{i.Id} closed; the summary is posted in its thread."),
        });

    private async Task<ChatReply> StatusAsync(string? id, CancellationToken cancellationToken) =>
        await WithIncidentAsync(id, cancellationToken, async incidentId =>
        {
            var incident = (await incidents.GetAsync(incidentId, cancellationToken))!;
            await workflow.PostStatusNowAsync(incident, cancellationToken);
            return ChatReply.PrivateText($"Status of {incident.Id} posted in its thread.");
        });

    private async Task<ChatReply> WithIncidentAsync(string? id, CancellationToken cancellationToken, Func<string, Task<ChatReply>> act)
    {
        if (id is not null)
            return await incidents.GetAsync(id, cancellationToken) is null ? ChatReply.PrivateText($"No incident {id}.") : await act(id);
        var latest = (await incidents.ListOpenAsync(cancellationToken)).OrderByDescending(i => i.OpenedAt).FirstOrDefault();
        return latest is null ? ChatReply.PrivateText("No open incident. Open one with `incident open <P1..P4> <title>`.") : await act(latest.Id);
    }

    private ChatReply ShowRunbook(string name)
    {
        var definition = catalog.Find(name)!;
        var irreversible = PointOfNoReturn.StepOf(definition)?.Id;
        var steps = string.Join("\n", definition.Steps.Select((s, i) =>
            $"{i + 1}. [{s.Kind.ToString().ToLowerInvariant()}] {s.Title}" + (s.Role is null ? "" : $" (approver: {s.Role})") + (s.Condition is null ? "" : $" (only when {s.Condition})")
            + (s.Runbook is null ? "" : $" (runs the runbook {s.Runbook} as a child run)")
            + (s.Id == irreversible ? " ⚠ point of no return: past it a failing step stops for Retry step / Skip / Roll back anyway" : "")));
        return ChatReply.PrivateText($"{definition.Title}\n{definition.Description}\n{steps}\n\nState diagram (Mermaid):\n{engine.ExportGraph(name, GraphFormat.Mermaid)}");
    }

    private static ChatReply Answer(FreezeOutcome outcome) =>
        outcome.Ok ? ChatReply.Public(outcome.Message) : ChatReply.Error(outcome.Message);

    private static ChatReply Answer(IncidentResult result, Func<Incident, string> success) =>
        result.Ok && result.Incident is { } incident ? ChatReply.Public(success(incident)) : ChatReply.PrivateText(result.Message);

    private static ChatReply NotOnRoster(ChatInput input) => ChatReply.Error(
        $"{input.User.DisplayName}, you are not on the DrBot roster, so you may read but not act. Ask an admin to add your {input.Channel} id ({input.User.PlatformUserId}) under DrBot:People.");

    [LoggerMessage(EventId = HostLogEvents.StoreUnavailable, Level = LogLevel.Error, Message = "Store unavailable; action refused")]
    private partial void LogStoreUnavailable(Exception ex);
}
