namespace DrBot.Bot.Integrations.Tickets;

/// <summary><c>DrBot:Tickets</c>: where "open the incident ticket" creates a real ticket. Off while <see cref="Provider"/> is empty.</summary>
public sealed class TicketOptions
{
    public const string Section = "DrBot:Tickets";

    /// <summary><c>Jira</c> (Jira Cloud REST v3), <c>ServiceNow</c> (Table API) or <c>Webhook</c> (generic JSON); empty = off.</summary>
    public string? Provider { get; set; }

    /// <summary>Jira site (<c>https://your-site.atlassian.net/</c>), ServiceNow instance (<c>https://your-instance.service-now.com/</c>) or the webhook URL.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Jira: the account's email; ServiceNow: the user name. Basic auth with <see cref="Secret"/>.</summary>
    public string? Username { get; set; }

    /// <summary>Jira API token, ServiceNow password, or the webhook's HMAC-SHA256 signing key (a secret).</summary>
    public string? Secret { get; set; }

    public string ProjectKey { get; set; } = "OPS";
    public string IssueType { get; set; } = "Task";

    /// <summary>Jira transition id that resolves an issue (its workflow's "Done"); none = only a comment.</summary>
    public string? ResolveTransitionId { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Provider);
}
