using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stateless.Graph;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// Runs runbooks: one Stateless machine per run, the run stored before and after every side effect,
/// triggers of one run serialised, gates decided by the roster's people. Stateless between calls:
/// everything is in the store, so a new engine on the same store carries on where the last one stopped.
/// </summary>
public sealed partial class RunbookEngine
{
    private static readonly string[] StrategyRegions = ["east-us", "west-us", "north-europe"];

    private readonly IDrBotStore _store;
    private readonly RunbookCatalog _catalog;
    private readonly Roster _roster;
    private readonly DrBotOptions _options;
    private readonly StepRunner _steps;
    private readonly RunWriter _writer;
    private readonly RunLeases _leases;
    private readonly GateDecider _gates;
    private readonly RunRecovery _recovery;
    private readonly ITrafficRouter? _traffic;
    private readonly Freeze.RunFreeze _freeze;
    private readonly ILogger _logger;

    public RunbookEngine(
        IDrBotStore store,
        RunbookCatalog catalog,
        StepExecutorRegistry executors,
        Roster roster,
        IOptions<DrBotOptions> options,
        TimeProvider time,
        IEnumerable<IRunProjection> projections,
        ITrafficRouter? traffic = null,
        IOptions<RunbookEngineOptions>? engineOptions = null,
        ILogger<RunbookEngine>? logger = null,
        IncidentService? incidents = null,
        IOutboxWakeUp? wakeUp = null,
        StepRehearsalRegistry? rehearsals = null)
    {
        _store = store;
        _catalog = catalog;
        _roster = roster;
        _options = options.Value;
        _traffic = traffic;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var engineSettings = engineOptions?.Value ?? new RunbookEngineOptions();
        _steps = new StepRunner(executors, engineSettings, time, rehearsals);
        _writer = new RunWriter(store, engineSettings.ReplicaId, new AuditLog(store, time), time, [.. projections], incidents, wakeUp, _logger);
        _leases = new RunLeases(store, engineSettings, time, _logger);
        _gates = new GateDecider(store, _writer, _leases, catalog, roster, _options, new GateFactsProbe(_steps));
        _freeze = new Freeze.RunFreeze(store);
        _recovery = new RunRecovery(store, _writer, _leases, _gates, catalog, AdvanceAsync, _logger);
    }

    /// <summary>The run lease owner this engine writes: one id per replica.</summary>
    public string ReplicaId => _leases.ReplicaId;

    public IReadOnlyList<string> Regions =>
        _options.Regions.Count > 0 ? [.. _options.Regions.Keys.Order(StringComparer.Ordinal)] : StrategyRegions;

    public async Task<StartRunResult> StartAsync(StartRunRequest request, CancellationToken cancellationToken)
    {
        var definition = _catalog.Find(request.Runbook);
        if (definition is null)
        {
            return new StartRunResult(false, $"Unknown runbook '{request.Runbook}'. Valid: {string.Join(", ", _catalog.Names)}.", null);
        }
        var region = Regions.FirstOrDefault(r => string.Equals(r, request.Region?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (region is null)
        {
            return new StartRunResult(false, $"Unknown region '{request.Region}'. Valid: {string.Join(", ", Regions)}.", null);
        }
        if (Policy.RegionRules.RefuseTarget(_options, definition.Name, region) is { } refused)
        {
            return new StartRunResult(false, refused, null);
        }
        var person = _roster.ByName(request.StartedBy.PersonName);
        // The bot itself (the health monitor) may start a run: it stops at the gates like any other,
        // and since no roster person started it, four-eyes lets any approver of the gate's role decide.
        var bySystem = person is null && request.StartedBy.Channel == "system";
        if (person is null && !bySystem)
        {
            var refusal = $"{request.StartedBy} is not on the roster: only roster members may start a runbook.";
            await _writer.AuditAsync(request.StartedBy.ToString(), "run-start-refused", definition.Name, refusal, cancellationToken);
            return new StartRunResult(false, refusal, null);
        }

        // A freeze stops every start: a person's, the health monitor's, a scheduled drill's.
        if (await _freeze.CurrentAsync(cancellationToken) is { } freeze)
        {
            await _writer.AuditAsync(person?.Name ?? request.StartedBy.ToString(), "run-start-refused", definition.Name, freeze.StartRefusal, cancellationToken);
            return new StartRunResult(false, freeze.StartRefusal, null);
        }

        var now = _writer.Now;
        var run = new RunRecord
        {
            Id = $"run-{await _store.NextSequenceAsync("run", cancellationToken)}",
            Runbook = definition.Name,
            Region = region,
            FromRegion = request.FromRegion ?? await CurrentPrimaryAsync(region, cancellationToken),
            ParentRunId = request.ParentRunId,
            StartedBy = person?.Name ?? request.StartedBy.PersonName ?? "drbot",
            StartedByChannel = request.StartedBy.Channel,
            StartedAt = now,
            IncidentId = request.IncidentId,
            Claim = request.Claim,
            Practice = request.Practice,
        };
        run.Steps = [.. definition.Steps.Select(s => new StepRecord { StepId = s.Id, Title = StepArguments.Resolve(s.Title, run) })];
        var startedBy = person?.DisplayName ?? $"DrBot ({request.StartedBy.DisplayName})";
        var message = $"{(run.Practice ? "Practice run (nothing changes): " : "")}{definition.Title} from {run.FromRegion ?? "?"} to {region} started by {startedBy} as {run.Id}.";
        if (!await _writer.CommitAsync(run, [new RunChange(RunChangeKind.Started, null, message)], cancellationToken))
        {
            return new StartRunResult(false, $"Another unfinished run holds '{request.Claim}'.", null, ClaimTaken: true);
        }
        await _writer.AuditAsync(person?.Name ?? request.StartedBy.ToString(), run.Practice ? "practice-started" : "run-started", run.Id, message, cancellationToken);
        return new StartRunResult(true, message, run);
    }

    public async Task<RunRecord?> CancelAsync(string runId, Actor who, string? reason, CancellationToken cancellationToken)
    {
        using var held = await _leases.LockAsync(runId, cancellationToken);
        await using var lease = await _leases.HoldAsync(runId, null, cancellationToken);
        var run = await _store.GetRunAsync(runId, cancellationToken);
        if (run is null || run.IsFinished)
        {
            return run;
        }
        if (!lease.Held)
        {
            // Another replica is in the middle of a step; cancelling under it could undo that step's record.
            await _writer.AuditAsync(who.ToString(), "cancel-refused", run.Id, "busy on another replica (a step is running there); try again when it ends", cancellationToken);
            return run;
        }
        var isSystem = who.Channel == "system";
        var person = _roster.ByName(who.PersonName);
        if (person is null && !isSystem)
        {
            await _writer.AuditAsync(who.ToString(), "cancel-refused", run.Id, "not on the roster", cancellationToken);
            return run;
        }
        if (run.State == RunStates.RollingBack)
        {
            await _writer.AuditAsync(who.ToString(), "cancel-refused", run.Id, "the run is rolling back; the rollback finishes first", cancellationToken);
            return run;
        }
        var definition = _catalog.Find(run.Runbook);
        if (definition is null)
        {
            return run;
        }
        new RunMachine(definition, run).Cancel();
        var detail = $"cancelled by {who}" + (string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}");
        _writer.Finish(run, RunOutcome.Cancelled, detail);
        try
        {
            await _writer.SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.Finished, null, detail));
        }
        catch (RunLeaseLostException)
        {
            // The lease moved to another replica between taking it and saving (this one paused): nothing was saved.
            LogCommandFenced(_logger, run.Id, "cancel");
            await _writer.AuditAsync(who.ToString(), "cancel-refused", run.Id, "another replica took the run over meanwhile; try again", cancellationToken);
            return await _store.GetRunAsync(runId, cancellationToken);
        }
        await _writer.AuditAsync(who.ToString(), "run-cancelled", run.Id, detail, cancellationToken);
        return run;
    }

    /// <summary>The state graph of a runbook, from Stateless's <c>GetInfo()</c>.</summary>
    public string ExportGraph(string runbook, GraphFormat format)
    {
        var definition = _catalog.Find(runbook)
            ?? throw new ArgumentException($"Unknown runbook '{runbook}'. Valid: {string.Join(", ", _catalog.Names)}.", nameof(runbook));
        var info = new RunMachine(definition, new RunRecord { Id = "graph", Runbook = definition.Name }).GetInfo();
        if (format == GraphFormat.Dot)
        {
            return UmlDotGraph.Format(info);
        }
        // The diagram marks the point of no return: past it, failures stop at a gate instead of rolling back.
        // The note names the diagram's node id, which (like Stateless's) keeps only letters and digits.
        var mermaid = MermaidGraph.Format(info);
        // Steps of kind runbook name the child they run (one level deep; its own diagram shows its gates).
        foreach (var composed in definition.Steps.Where(s => s.Kind == StepKind.Runbook))
        {
            mermaid = $"{mermaid.TrimEnd()}\n\tnote right of {new string([.. composed.Id.Where(char.IsLetterOrDigit)])} : runs the runbook {composed.Runbook} as a child run; its gates are decided on this run's card\n";
        }
        return PointOfNoReturn.StepOf(definition) is { } irreversible
            ? $"{mermaid.TrimEnd()}\n\tnote right of {new string([.. irreversible.Id.Where(char.IsLetterOrDigit)])} : point of no return — past it nothing is undone automatically\n"
            : mermaid;
    }

    /// <summary>The region a run towards <paramref name="target"/> would leave (where traffic goes now, else the configured primary).</summary>
    public Task<string?> RegionLeftAsync(string target, CancellationToken cancellationToken) => CurrentPrimaryAsync(target, cancellationToken);

    /// <summary>The region the run leaves: where traffic goes now, else the configured primary.</summary>
    private async Task<string?> CurrentPrimaryAsync(string target, CancellationToken cancellationToken)
    {
        if (_traffic is not null)
        {
            try
            {
                var endpoints = await _traffic.GetEndpointsAsync(cancellationToken);
                var serving = endpoints
                    .Where(e => e.Enabled && !string.Equals(e.Region, target, StringComparison.OrdinalIgnoreCase))
                    .OrderByDescending(e => e.Weight)
                    .FirstOrDefault();
                if (serving is not null)
                {
                    return serving.Region;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Traffic routing unreadable (it may be part of the outage): fall back to the configured roles.
                LogTrafficUnreadable(_logger, ex);
            }
        }
        return _options.RegionWithRole(RegionRoles.Primary, except: target)
            ?? _options.RegionWithRole(RegionRoles.Secondary, except: target)
            ?? StrategyRegions.FirstOrDefault(r => !string.Equals(r, target, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Applies an Approve/Reject click, or refuses it with a reason (audited). An approval moves the run
    /// past the gate; the caller then calls <see cref="AdvanceAsync"/>. A rejection ends the run rejected.
    /// </summary>
    public Task<DecisionResult> DecideAsync(GateDecisionRequest request, CancellationToken cancellationToken) =>
        _gates.DecideAsync(request, cancellationToken);

    /// <summary>Asks again for the pending gate before it expires; null when no gate is pending.</summary>
    public Task<RunRecord?> RerequestGateAsync(string runId, Actor who, CancellationToken cancellationToken) =>
        _gates.RerequestGateAsync(runId, who, cancellationToken);

    /// <summary>Ends every run whose pending gate is past its expiry as gate expired; returns how many.</summary>
    public Task<int> ExpireDueGatesAsync(CancellationToken cancellationToken) => _recovery.ExpireDueGatesAsync(cancellationToken);

    /// <summary>After a restart: advances every unfinished run not waiting for a decision; returns their ids.</summary>
    public Task<IReadOnlyList<string>> ResumeUnfinishedAsync(CancellationToken cancellationToken) => _recovery.ResumeUnfinishedAsync(cancellationToken);

    /// <summary>Several replicas: the unfinished runs no replica is advancing.</summary>
    public Task<IReadOnlyList<string>> FindRunsToTakeOverAsync(CancellationToken cancellationToken) => _recovery.FindRunsToTakeOverAsync(cancellationToken);

    [LoggerMessage(EventId = LogEvents.RunCommandFenced, Level = LogLevel.Warning, Message = "Run {RunId}: {Command} was not saved because another replica took the run's lease over meanwhile")]
    internal static partial void LogCommandFenced(ILogger logger, string runId, string command);

    [LoggerMessage(EventId = LogEvents.TrafficUnreadableAtStart, Level = LogLevel.Warning, Message = "Traffic endpoints could not be read; the region left is taken from the configured roles")]
    private static partial void LogTrafficUnreadable(ILogger logger, Exception exception);
}
