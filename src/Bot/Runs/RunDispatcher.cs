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
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();

    public void Enqueue(string runId) => _queue.Writer.TryWrite(runId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var resumed = await engine.ResumeUnfinishedAsync(stoppingToken);
            if (resumed.Count > 0)
                LogResumed(resumed.Count, string.Join(", ", resumed));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed("resume", ex);
        }

        var expiry = ExpireGatesLoopAsync(stoppingToken);
        var takeover = TakeOverLoopAsync(stoppingToken);
        var workers = Enumerable.Range(0, 4).Select(_ => WorkAsync(stoppingToken)).ToList();
        await Task.WhenAll(workers.Append(expiry).Append(takeover));
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
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(runId, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
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

    [LoggerMessage(EventId = HostLogEvents.RunWorkFailed, Level = LogLevel.Error, Message = "Run work failed for {What}")]
    private partial void LogFailed(string what, Exception ex);
}
