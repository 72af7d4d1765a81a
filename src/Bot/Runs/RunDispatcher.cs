using System.Threading.Channels;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Engine;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Runs;

/// <summary>
/// Runs runbooks in the background so a command or click is acknowledged at once: the router
/// queues the run id, this service drives the engine until the run finishes or waits at a gate.
/// On start it resumes every unfinished run; it also expires gates that waited too long.
/// </summary>
public sealed partial class RunDispatcher(RunbookEngine engine, TimeProvider time, ILogger<RunDispatcher> logger, IOptions<RunbookEngineOptions>? engineOptions = null) : BackgroundService, IRunQueue
{
    private static readonly TimeSpan ExpiryPoll = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private const int MaxOtherFailures = 5;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    public void Enqueue(string runId) => _queue.Writer.TryWrite(runId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The workers start at once: runs approved while the restart is still taking runs up are not
        // kept waiting behind them.
        var workers = Enumerable.Range(0, 4).Select(_ => WorkAsync(stoppingToken)).ToList();
        var resume = ResumeAsync(stoppingToken);
        var expiry = ExpireGatesLoopAsync(stoppingToken);
        var takeover = TakeOverLoopAsync(stoppingToken);
        await Task.WhenAll(workers.Append(resume).Append(expiry).Append(takeover));
    }

    private async Task ResumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            var resumed = await engine.ResumeUnfinishedAsync(stoppingToken);
            if (resumed.Count > 0)
                LogResumed(resumed.Count, string.Join(", ", resumed));
        }
        catch (OperationCanceledException)
        {
            // stopping: the rest is resumed at the next start
        }
        catch (Exception ex)
        {
            LogFailed("resume", ex);
        }
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var runId in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await engine.AdvanceAsync(runId, stoppingToken);
                    _failures.TryRemove(runId, out _);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(runId, ex);
                    RequeueLater(runId, ex is DrBot.Runbooks.Storage.StoreUnavailableException, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>
    /// A failed advance is tried again after a backoff (1 s doubling to 30 s) instead of being dropped:
    /// while the store is unreachable for as long as it takes, other failures up to five times. The
    /// executors verify before they act, so a retried step does not repeat a side effect.
    /// </summary>
    private void RequeueLater(string runId, bool storeUnavailable, CancellationToken stoppingToken)
    {
        var attempt = _failures.AddOrUpdate(runId, 1, (_, n) => n + 1);
        if (!storeUnavailable && attempt > MaxOtherFailures)
        {
            _failures.TryRemove(runId, out _);
            LogGaveUp(runId, attempt - 1);
            return;
        }
        var delay = TimeSpan.FromSeconds(Math.Min(MaxRetryDelay.TotalSeconds, Math.Pow(2, Math.Min(attempt - 1, 5))));
        LogRequeued(runId, attempt, delay);
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, stoppingToken);
                Enqueue(runId);
            }
            catch (OperationCanceledException)
            {
                // stopping: the run is resumed at the next start
            }
        }, CancellationToken.None);
    }

    private async Task ExpireGatesLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ExpiryPoll, time, stoppingToken);
                await engine.ExpireDueGatesAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed("gate expiry", ex);
            }
        }
    }

    /// <summary>
    /// Several replicas: picks up unfinished runs no replica is advancing (the one that advanced it died
    /// mid-step and its lease expired) and queues them; the run lease makes sure one replica does each step.
    /// </summary>
    private async Task TakeOverLoopAsync(CancellationToken stoppingToken)
    {
        if (engineOptions?.Value.TakeoverPoll is not { } poll || poll <= TimeSpan.Zero)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(poll, time, stoppingToken);
                foreach (var runId in await engine.FindRunsToTakeOverAsync(stoppingToken))
                    Enqueue(runId);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed("run takeover", ex);
            }
        }
    }

    [LoggerMessage(EventId = HostLogEvents.RunsResumed, Level = LogLevel.Information, Message = "Resumed {Count} unfinished runs after start: {Runs}")]
    private partial void LogResumed(int count, string runs);

    [LoggerMessage(EventId = HostLogEvents.RunRequeued, Level = LogLevel.Warning, Message = "Run {RunId} will be advanced again in {Delay} (attempt {Attempt})")]
    private partial void LogRequeued(string runId, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = HostLogEvents.RunGivenUp, Level = LogLevel.Error, Message = "Run {RunId} failed {Attempts} times for reasons other than the store; left for the next start or takeover")]
    private partial void LogGaveUp(string runId, int attempts);

    [LoggerMessage(EventId = HostLogEvents.RunWorkFailed, Level = LogLevel.Error, Message = "Run work failed for {What}")]
    private partial void LogFailed(string what, Exception ex);
}
