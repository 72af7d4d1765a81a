namespace DrBot.Bot.Integrations.Opsgenie;

/// <summary><c>DrBot:Opsgenie</c>: the Alert API. Off while <see cref="ApiKey"/> is empty.</summary>
public sealed class OpsgenieOptions
{
    public const string Section = "DrBot:Opsgenie";

    /// <summary>An API integration's key, sent as <c>Authorization: GenieKey …</c> (a secret).</summary>
    public string? ApiKey { get; set; }

    /// <summary>API base (<c>https://api.opsgenie.com/</c>; EU: <c>https://api.eu.opsgenie.com/</c>).</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.opsgenie.com/");

    /// <summary>The on-call team added as responder of every alert (optional: else the integration's own routing).</summary>
    public string? Team { get; set; }

    /// <summary>Escalation role → Opsgenie escalation name (<c>cto</c> → <c>CTO escalation</c>).</summary>
    public Dictionary<string, string> Escalations { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey);
}
