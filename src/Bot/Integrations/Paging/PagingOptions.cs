namespace DrBot.Bot.Integrations.Paging;

/// <summary><c>DrBot:Paging</c>: what pages, common to PagerDuty and Opsgenie.</summary>
public sealed class PagingOptions
{
    public const string Section = "DrBot:Paging";

    /// <summary>Incident severities that page when opened (the strategy: P1 and P2).</summary>
    public List<string> Severities { get; set; } = ["P1", "P2"];

    /// <summary>Link sent with a page back to the incident, <c>{id}</c> replaced by the incident id (none by default).</summary>
    public string? IncidentLink { get; set; }

    /// <summary>The page's source (PagerDuty <c>payload.source</c>, Opsgenie <c>source</c>).</summary>
    public string Source { get; set; } = "drbot";

    public string? LinkFor(string incidentId) =>
        string.IsNullOrWhiteSpace(IncidentLink) ? null : IncidentLink.Replace("{id}", Uri.EscapeDataString(incidentId), StringComparison.Ordinal);
}
