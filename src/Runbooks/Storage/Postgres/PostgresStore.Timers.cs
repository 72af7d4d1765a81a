using DrBot.Runbooks.Timers;
using Npgsql;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task ScheduleTimerAsync(ScheduledTimer timer, CancellationToken cancellationToken) =>
        Run("schedule timer", connection => Execute(connection, cancellationToken, """
            INSERT INTO drbot_timers (id, due_at, json) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET due_at = EXCLUDED.due_at, json = EXCLUDED.json, lease_owner = NULL, lease_until = NULL
            """, timer.Id, Ticks(timer.DueAt), StoreJson.Write(timer with { LeaseOwner = null, LeaseUntil = null })), cancellationToken);

    public Task CancelTimerAsync(string timerId, CancellationToken cancellationToken) =>
        Run("cancel timer", connection => Execute(connection, cancellationToken, "DELETE FROM drbot_timers WHERE id = $1", timerId), cancellationToken);

    public Task<IReadOnlyList<ScheduledTimer>> ListTimersAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ScheduledTimer>>("list timers", async connection => await Query(connection, cancellationToken, ReadTimer,
            "SELECT json, lease_owner, lease_until FROM drbot_timers ORDER BY due_at, id COLLATE \"C\""), cancellationToken);

    /// <summary>
    /// Due, free timers are locked with <c>SKIP LOCKED</c> (a replica claiming at the same moment takes
    /// the others, never the same ones) and leased in the same statement.
    /// </summary>
    public Task<IReadOnlyList<ScheduledTimer>> ClaimDueTimersAsync(DateTimeOffset now, string owner, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ScheduledTimer>>("claim timers", async connection =>
        {
            if (max <= 0)
            {
                return [];
            }
            var claimed = await Query(connection, cancellationToken, ReadTimer, """
                UPDATE drbot_timers SET lease_owner = $2, lease_until = $3
                WHERE id IN (
                    SELECT id FROM drbot_timers
                    WHERE due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
                    ORDER BY due_at, id COLLATE "C"
                    LIMIT $4
                    FOR UPDATE SKIP LOCKED)
                RETURNING json, lease_owner, lease_until
                """, Ticks(now), owner, Ticks(now + lease), max);
            return claimed.OrderBy(t => t.DueAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
        }, cancellationToken);

    public Task<bool> CompleteTimerAsync(string timerId, string owner, CancellationToken cancellationToken) =>
        Run("complete timer", async connection => await Execute(connection, cancellationToken,
            "DELETE FROM drbot_timers WHERE id = $1 AND lease_owner = $2", timerId, owner) == 1, cancellationToken);

    private static ScheduledTimer ReadTimer(NpgsqlDataReader reader) =>
        StoreJson.Read<ScheduledTimer>(reader.GetString(0)) with { LeaseOwner = NullableString(reader, 1), LeaseUntil = FromTicks(reader, 2) };
}
