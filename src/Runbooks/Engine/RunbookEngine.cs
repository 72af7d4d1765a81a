using System.Collections.Concurrent;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stateless.Graph;

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
    private readonly AuditLog _audit;
    private readonly RunbookCatalog _catalog;
    private readonly StepExecutorRegistry _executors;
    private readonly Roster _roster;
    private readonly DrBotOptions _options;
    private readonly RunbookEngineOptions _engineOptions;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IRunObserver> _observers;
    private readonly ITrafficRouter? _traffic;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _runLocks = new(StringComparer.Ordinal);

    public RunbookEngine(
        IDrBotStore store,
        RunbookCatalog catalog,
        StepExecutorRegistry executors,
        Roster roster,
        IOptions<DrBotOptions> options,
        TimeProvider time,
        IEnumerable<IRunObserver> observers,
        ITrafficRouter? traffic = null,
        IOptions<RunbookEngineOptions>? engineOptions = null,
        ILogger<RunbookEngine>? logger = null)
    {
        _store = store;
        _audit = new AuditLog(store, time);
        _catalog = catalog;
        _executors = executors;
        _roster = roster;
        _options = options.Value;
        _engineOptions = engineOptions?.Value ?? new RunbookEngineOptions();
        _time = time;
        _observers = observers.ToList();
        _traffic = traffic;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

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
            await AuditAsync(request.StartedBy.ToString(), "run-start-refused", definition.Name, refusal, cancellationToken);
            return new StartRunResult(false, refusal, null);
        }

        var now = _time.GetUtcNow();
        var run = new RunRecord
        {
            Id = $"run-{await _store.NextSequenceAsync("run", cancellationToken)}",
            Runbook = definition.Name,
            Region = region,
            FromRegion = await CurrentPrimaryAsync(region, cancellationToken),
            StartedBy = person?.Name ?? request.StartedBy.PersonName ?? "drbot",
            StartedByChannel = request.StartedBy.Channel,
            StartedAt = now,
            IncidentId = request.IncidentId,
        };
        run.Steps = [.. definition.Steps.Select(s => new StepRecord { StepId = s.Id, Title = StepArguments.Resolve(s.Title, run) })];
        var startedBy = person?.DisplayName ?? $"DrBot ({request.StartedBy.DisplayName})";
        var message = $"{definition.Title} from {run.FromRegion ?? "?"} to {region} started by {startedBy} as {run.Id}.";
        await SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.Started, null, message));
        await AuditAsync(person?.Name ?? request.StartedBy.ToString(), "run-started", run.Id, message, cancellationToken);
        return new StartRunResult(true, message, run);
    }

    public async Task<RunRecord?> CancelAsync(string runId, Actor who, string? reason, CancellationToken cancellationToken)
    {
        using var held = await LockRunAsync(runId, cancellationToken);
        await using var lease = await HoldLeaseAsync(runId, null, cancellationToken);
        var run = await _store.GetRunAsync(runId, cancellationToken);
        if (run is null || run.IsFinished)
        {
            return run;
        }
        if (!lease.Held)
        {
            // Another replica is in the middle of a step; cancelling under it could undo that step's record.
            await AuditAsync(who.ToString(), "cancel-refused", run.Id, "busy on another replica (a step is running there); try again when it ends", cancellationToken);
            return run;
        }
        var isSystem = who.Channel == "system";
        var person = _roster.ByName(who.PersonName);
        if (person is null && !isSystem)
        {
            await AuditAsync(who.ToString(), "cancel-refused", run.Id, "not on the roster", cancellationToken);
            return run;
        }
        if (run.State == RunStates.RollingBack)
        {
            await AuditAsync(who.ToString(), "cancel-refused", run.Id, "the run is rolling back; the rollback finishes first", cancellationToken);
            return run;
        }
        var definition = _catalog.Find(run.Runbook);
        if (definition is null)
        {
            return run;
        }
        new RunMachine(definition, run).Fire(RunMachine.Cancel);
        var detail = $"cancelled by {who}" + (string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}");
        Finish(run, RunOutcome.Cancelled, detail);
        await SaveAsync(run, cancellationToken, new RunChange(RunChangeKind.Finished, null, detail));
        await AuditAsync(who.ToString(), "run-cancelled", run.Id, detail, cancellationToken);
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
        var mermaid = MermaidGraph.Format(info);
        return PointOfNoReturn.StepOf(definition) is { } irreversible
            ? $"{mermaid.TrimEnd()}\n\tnote right of {irreversible.Id} : point of no return — past it nothing is undone automatically\n"
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
        foreach (var role in new[] { "primary", "secondary" })
        {
            var configured = _options.Regions
                .FirstOrDefault(r => string.Equals(r.Value.Role, role, StringComparison.OrdinalIgnoreCase)
                    && !string.Equals(r.Key, target, StringComparison.OrdinalIgnoreCase)).Key;
            if (configured is not null)
            {
                return configured;
            }
        }
        return StrategyRegions.FirstOrDefault(r => !string.Equals(r, target, StringComparison.OrdinalIgnoreCase));
    }

    private void Finish(RunRecord run, RunOutcome outcome, string reason)
    {
        run.Outcome = outcome;
        run.OutcomeReason = reason;
        run.EndedAt = _time.GetUtcNow();
        run.GateExpiresAt = null;
    }

    /// <summary>Saves the run as its next version, then tells the observers.</summary>
    private async Task SaveAsync(RunRecord run, CancellationToken cancellationToken, params RunChange[] changes)
    {
        run.Version++;
        await _store.SaveRunAsync(run, cancellationToken);
        foreach (var change in changes)
        {
            foreach (var observer in _observers)
            {
                try
                {
                    await observer.OnRunChangedAsync(run, change, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogObserverFailed(_logger, ex, observer.GetType().Name, run.Id, change.Name);
                }
            }
        }
    }

    private Task<bool> JournalAsync(RunRecord run, string stepId, int attempt, JournalPhase phase, string? outcome, string? detail, CancellationToken cancellationToken) =>
        _store.TryAppendJournalAsync(new JournalEntry(run.Id, stepId, attempt, phase, _time.GetUtcNow(), outcome, detail), cancellationToken);

    private Task<AuditEntry> AuditAsync(string actor, string action, string subject, string detail, CancellationToken cancellationToken) =>
        _audit.RecordAsync(actor, action, subject, detail, cancellationToken);

    private async Task<IDisposable> LockRunAsync(string runId, CancellationToken cancellationToken)
    {
        var gate = _runLocks.GetOrAdd(runId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Run observer {Observer} failed on {RunId} {Change}")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception, string observer, string runId, string change);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Traffic endpoints could not be read; the region left is taken from the configured roles")]
    private static partial void LogTrafficUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Resuming run {RunId} failed")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string runId);
}
