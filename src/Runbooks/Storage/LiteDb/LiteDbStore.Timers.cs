using DrBot.Runbooks.Timers;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    public Task ScheduleTimerAsync(ScheduledTimer timer, CancellationToken cancellationToken) =>
        Run("schedule timer", () => Timers.Upsert(TimerDocument(timer with { LeaseOwner = null, LeaseUntil = null })), cancellationToken);

    public Task CancelTimerAsync(string timerId, CancellationToken cancellationToken) =>
        Run("cancel timer", () => Timers.Delete(timerId), cancellationToken);

    public Task<IReadOnlyList<ScheduledTimer>> ListTimersAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ScheduledTimer>>("list timers", () => Timers
            .FindAll()
            .Select(d => StoreJson.Read<ScheduledTimer>(ReadJson(d)))
            .OrderBy(t => t.DueAt)
            .ThenBy(t => t.Id, StringComparer.Ordinal)
            .ToList(), cancellationToken);

    public Task<IReadOnlyList<ScheduledTimer>> ClaimDueTimersAsync(DateTimeOffset now, string owner, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ScheduledTimer>>("claim timers", () =>
        {
            if (max <= 0)
            {
                return [];
            }
            var claimable = Timers
                .Find(Query.LTE("dueAt", Ticks(now)))
                .Select(d => StoreJson.Read<ScheduledTimer>(ReadJson(d)))
                .Where(t => t.LeaseUntil is null || t.LeaseUntil <= now)
                .OrderBy(t => t.DueAt)
                .ThenBy(t => t.Id, StringComparer.Ordinal)
                .Take(max)
                .Select(t => t with { LeaseOwner = owner, LeaseUntil = now + lease })
                .ToList();
            foreach (var timer in claimable)
            {
                Timers.Update(TimerDocument(timer));
            }
            return claimable;
        }, cancellationToken);

    public Task<bool> CompleteTimerAsync(string timerId, string owner, CancellationToken cancellationToken) =>
        Run("complete timer", () =>
        {
            var document = Timers.FindById(timerId);
            if (document is null)
            {
                return false;
            }
            var timer = StoreJson.Read<ScheduledTimer>(ReadJson(document));
            // Another owner took over after our lease expired (or the timer was moved): not ours to remove.
            return string.Equals(timer.LeaseOwner, owner, StringComparison.Ordinal) && Timers.Delete(timerId);
        }, cancellationToken);

    private static BsonDocument TimerDocument(ScheduledTimer timer) => new()
    {
        ["_id"] = timer.Id,
        ["dueAt"] = Ticks(timer.DueAt),
        [Json] = StoreJson.Write(timer),
    };
}
