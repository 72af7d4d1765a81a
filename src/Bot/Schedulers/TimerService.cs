using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;

namespace DrBot.Bot.Schedulers;

/// <summary>
/// Polls the store for due timers, leases them so only one replica fires each, fires, and removes
/// them (the handler reschedules the next one under the same id, which replaces the lease).
/// </summary>
public sealed partial class TimerService(IDrBotStore store, IncidentTimers incidentTimers, IEnumerable<IStoredTimerHandler> handlers, TimeProvider time, ILogger<TimerService> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FireDueAsync(stoppingToken);
                await Task.Delay(Poll, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(ex);
                await Task.Delay(Poll, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Fires every timer due now. Returns how many fired.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.ClaimDueTimersAsync(time.GetUtcNow(), _owner, Lease, 100, cancellationToken);
        foreach (var timer in due.OrderBy(t => t.DueAt))
        {
            // Fire first: a crash before completing leaves the lease to expire and the timer fires
            // again, where its idempotency key stops a second post. Completing only removes the
            // timer if the handler did not reschedule it (rescheduling clears our lease).
            if (timer.Kind is TimerKinds.StatusPost or TimerKinds.Escalation)
                await incidentTimers.FireAsync(timer, cancellationToken);
            else if (handlers.FirstOrDefault(h => h.Kinds.Contains(timer.Kind)) is { } handler)
                await handler.FireAsync(timer, cancellationToken);
            await store.CompleteTimerAsync(timer.Id, _owner, cancellationToken);
        }
        return due.Count;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Timer round failed")]
    private partial void LogFailed(Exception ex);
}
