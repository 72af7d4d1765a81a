using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Runbooks.Preflight;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Preflight;

/// <summary>
/// The continuous pre-flight: a stored timer (so one replica evaluates per interval, across restarts)
/// evaluates every failover runbook without changing anything, keeps the result in the store, and posts
/// one card per change of a runbook's readiness. The evaluation runs beside the timer loop, never in it,
/// so a slow region cannot hold up status posts; one evaluation at a time.
/// </summary>
public sealed partial class PreflightService(
    PreflightEvaluator evaluator,
    PreflightRecorder recorder,
    CardPublisher publisher,
    IDrBotStore store,
    IOptions<PreflightOptions> options,
    TimeProvider time,
    ILogger<PreflightService> logger,
    IHostApplicationLifetime? lifetime = null) : IStoredTimerHandler
{
    public const string Kind = "preflight";
    public const string TimerId = "preflight";

    private readonly Lock _gate = new();
    private Task<PreflightReport?> _current = Task.FromResult<PreflightReport?>(null);

    public IReadOnlyCollection<string> Kinds { get; } = [Kind];

    /// <summary>The evaluation under way (or the last one, done): what the <c>preflight</c> command and the tests wait for.</summary>
    public Task<PreflightReport?> Current { get { lock (_gate) return _current; } }

    /// <summary>Evaluates now, records, and posts a card for each readiness change (once across replicas).</summary>
    public async Task<PreflightReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = await evaluator.EvaluateAsync(cancellationToken);
        var changes = await recorder.RecordAsync(report, cancellationToken);
        foreach (var change in changes)
        {
            if (await recorder.ClaimNoticeAsync(change, report, cancellationToken))
                await publisher.PostAsync($"preflight:{change.Now.Key}:{report.At.UtcTicks}", PreflightCards.Change(change), cancellationToken);
        }
        return report;
    }

    public Task<PreflightReport?> LastAsync(CancellationToken cancellationToken) => recorder.LastAsync(cancellationToken);

    /// <summary>Starts an evaluation beside the caller unless one is under way; <paramref name="postReport"/>: post its report card when done.</summary>
    public Task<PreflightReport?> Start(bool postReport)
    {
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        lock (_gate)
        {
            if (!_current.IsCompleted)
                return _current;
            return _current = Task.Run(async () =>
            {
                try
                {
                    var report = await RunAsync(stopping);
                    if (postReport)
                        await publisher.PostAsync($"preflight:report:{report.At.UtcTicks}", PreflightCards.Report(report, time.GetUtcNow()), stopping);
                    return report;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    LogFailed(ex);
                    return null;
                }
            });
        }
    }

    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await store.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        await store.ScheduleTimerAsync(timer with { DueAt = time.GetUtcNow() + options.Value.Interval, LeaseOwner = null, LeaseUntil = null }, cancellationToken);
        _ = Start(postReport: false); // beside the timer loop; Current is what waits for it
    }

    /// <summary>At start: the pre-flight timer exists (due at once when new; the same id on several replicas makes one timer).</summary>
    public async Task EnsureTimerAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            await store.CancelTimerAsync(TimerId, cancellationToken);
            return;
        }
        if (!(await store.ListTimersAsync(cancellationToken)).Any(t => t.Id == TimerId))
            await store.ScheduleTimerAsync(new ScheduledTimer(TimerId, Kind, "all", time.GetUtcNow()), cancellationToken);
    }

    [LoggerMessage(EventId = HostLogEvents.PreflightFailed, Level = LogLevel.Error, Message = "Pre-flight evaluation failed")]
    private partial void LogFailed(Exception ex);
}

/// <summary>Seeds the pre-flight timer at start; a store that is down then leaves it to the next start or replica.</summary>
public sealed partial class PreflightSeeder(PreflightService preflight, ILogger<PreflightSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await preflight.EnsureTimerAsync(cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            LogSeedFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = HostLogEvents.PreflightSeedFailed, Level = LogLevel.Warning, Message = "Could not seed the pre-flight timer")]
    private partial void LogSeedFailed(Exception ex);
}
