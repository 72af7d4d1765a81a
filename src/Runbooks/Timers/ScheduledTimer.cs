namespace DrBot.Runbooks.Timers;

/// <summary>
/// A timer kept in the store, not in memory, so that after a restart (or on another replica) it
/// fires once and only once. <see cref="Id"/> is stable per purpose (e.g. <c>status:INC-0001</c>):
/// scheduling the same id again moves the timer instead of adding a second one.
/// </summary>
public sealed record ScheduledTimer(
    string Id,
    string Kind,
    string Subject,
    DateTimeOffset DueAt,
    string? Payload = null,
    string? LeaseOwner = null,
    DateTimeOffset? LeaseUntil = null)
{
    /// <summary>Beginning of every <see cref="OccurrenceKey"/>.</summary>
    public const string OccurrenceKeyPrefix = "timer:";

    /// <summary>
    /// The idempotency key a handler claims before acting on this occurrence, so it acts once
    /// across replicas and restarts. The timer moves on once claimed, so the key is only needed for a while.
    /// </summary>
    public string OccurrenceKey => $"{OccurrenceKeyPrefix}{Id}:{DueAt.UtcTicks}";
}

public static class TimerKinds
{
    public const string StatusPost = "status-post";
    public const string Escalation = "escalation";
    public const string GateExpiry = "gate-expiry";
}
