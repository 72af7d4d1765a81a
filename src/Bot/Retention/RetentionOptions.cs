using System.ComponentModel.DataAnnotations;

namespace DrBot.Bot.Retention;

/// <summary>
/// How long what is only kept for a while is kept (<c>DrBot:Retention</c>). Incidents, runs, their
/// journal and decisions, post-mortems, drills and the audit chain are kept for good.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "DrBot:Retention";

    /// <summary>How often a replica prunes (every replica may; they never delete the same row twice).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Delivered posts, updates and outside calls, counted from their delivery.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan DeliveredOutbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Idempotency keys of inbound deliveries (Slack, Teams, commands and clicks) and of fired timer
    /// occurrences. Senders retry for minutes, so an hour is the least that is safe.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan IdempotencyKeys { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The claims that version alert group records: only writers of the same moment compete for one.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan VersionClaims { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Alert groups whose alerts have all resolved, counted from their last change.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan ResolvedAlertGroups { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Messages of the local web chat, counted from their last change.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan LocalChat { get; set; } = TimeSpan.FromDays(30);
}
