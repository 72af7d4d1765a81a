using System.ComponentModel.DataAnnotations;

namespace DrBot.Bot.Alerts.Intake;

/// <summary><c>DrBot:Alerts</c>: the alert webhooks' shared secret, body limit and queue bound.</summary>
public sealed class AlertIntakeOptions
{
    public const string Section = "DrBot:Alerts";

    /// <summary>
    /// Shared secret every webhook request must carry (<c>Authorization: Bearer …</c> or
    /// <c>?token=…</c>). Empty (the default) refuses every request: set it to enable alert intake.
    /// </summary>
    public string Token { get; set; } = "";

    /// <summary>Largest accepted body in bytes (1 MiB). Larger bodies get 413 and are not read.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    public const int DefaultMaxQueuedDeliveries = 20_000;

    /// <summary>
    /// Deliveries waiting to be handled at most (20,000). When full, a webhook is answered 503 with
    /// <c>Retry-After</c> and nothing of it is kept; every delivery already accepted is still handled.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedDeliveries { get; set; } = DefaultMaxQueuedDeliveries;
}
