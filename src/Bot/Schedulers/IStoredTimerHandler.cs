using DrBot.Runbooks.Timers;

namespace DrBot.Bot.Schedulers;

/// <summary>
/// Fires stored timers of its own kinds (post-mortem reminders, drill schedules …). The timer loop
/// hands each due timer to the handler that lists its kind; the handler claims an idempotency key
/// so a timer fired again after a crash acts once.
/// </summary>
public interface IStoredTimerHandler
{
    IReadOnlyCollection<string> Kinds { get; }

    Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken);
}
