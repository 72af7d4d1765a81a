namespace DrBot.Bot.Integrations.PagerDuty;

/// <summary><c>DrBot:PagerDuty</c>: Events API v2. Off while <see cref="RoutingKey"/> is empty.</summary>
public sealed class PagerDutyOptions
{
    public const string Section = "DrBot:PagerDuty";

    /// <summary>The integration key of the on-call service (32 characters; a secret).</summary>
    public string? RoutingKey { get; set; }

    /// <summary>Events API base (<c>https://events.pagerduty.com/</c>; EU accounts: <c>https://events.eu.pagerduty.com/</c>).</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://events.pagerduty.com/");

    /// <summary>Escalation role → integration key of that person's or team's service (<c>cto</c> → …).</summary>
    public Dictionary<string, string> EscalationRoutingKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(RoutingKey);
}
