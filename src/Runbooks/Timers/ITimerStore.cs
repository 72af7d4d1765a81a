namespace DrBot.Runbooks.Timers;

public interface ITimerStore
{
    /// <summary>Inserts or moves the timer with this id (clearing any lease).</summary>
    Task ScheduleTimerAsync(ScheduledTimer timer, CancellationToken cancellationToken);
    Task CancelTimerAsync(string timerId, CancellationToken cancellationToken);
    Task<IReadOnlyList<ScheduledTimer>> ListTimersAsync(CancellationToken cancellationToken);
    /// <summary>
    /// Leases up to <paramref name="max"/> timers due at <paramref name="now"/> whose lease is free or
    /// expired, to <paramref name="owner"/> until now + lease.
    /// </summary>
    Task<IReadOnlyList<ScheduledTimer>> ClaimDueTimersAsync(DateTimeOffset now, string owner, TimeSpan lease, int max, CancellationToken cancellationToken);
    /// <summary>Removes a fired timer, only while <paramref name="owner"/> holds it.</summary>
    Task<bool> CompleteTimerAsync(string timerId, string owner, CancellationToken cancellationToken);
}
