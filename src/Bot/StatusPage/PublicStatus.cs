using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.StatusPage;

public sealed record ComponentStatus(string Name, string Tier, string Status);

public sealed record PublicIncident(string Key, string Title, string Impact, string Status, DateTimeOffset StartedAt, DateTimeOffset? ResolvedAt, IReadOnlyList<string> Components, IReadOnlyList<PublicUpdate> Updates);

public sealed record PublicStatusView(string Title, string Overall, DateTimeOffset GeneratedAt, IReadOnlyList<ComponentStatus> Components, IReadOnlyList<PublicIncident> Active, IReadOnlyList<PublicIncident> History);

/// <summary>
/// What customers may see: the strategy's services by tier and their state from open incidents, the
/// incidents of the last days with only their public updates. Nothing internal: no incident titles
/// (a title like "db-east-01 down" names a host), ids, regions, people or runbooks; an incident's
/// public title is its impact until a person writes a public update.
/// </summary>
public sealed class PublicStatus(IncidentService incidentService, PublicUpdates updates, IOptions<DrBotOptions> options, IOptions<StatusPageOptions> page, TimeProvider time)
{
    public const string Operational = "operational";

    public async Task<PublicStatusView> BuildAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var since = now - TimeSpan.FromDays(page.Value.HistoryDays);
        var incidents = (await incidentService.ListAllAsync(cancellationToken))
            .Where(i => i.IsOpen || i.OpenedAt >= since).OrderByDescending(i => i.OpenedAt).ToList();
        var views = new List<(Incident Incident, PublicIncident View)>();
        foreach (var incident in incidents)
            views.Add((incident, await ViewAsync(incident, cancellationToken)));

        var components = options.Value.Tiers.SelectMany(t => t.Value.Services.Select(s => (Service: s, Tier: t.Key)))
            .Select(c => new ComponentStatus(c.Service, c.Tier, Worst(views.Where(v => v.Incident.IsOpen && v.View.Components.Contains(c.Service)).Select(v => v.View.Impact))))
            .ToList();
        var overall = Worst(components.Select(c => c.Status));
        return new PublicStatusView(page.Value.Title, overall, now, components,
            views.Where(v => v.Incident.IsOpen).Select(v => v.View).ToList(),
            views.Where(v => !v.Incident.IsOpen).Select(v => v.View).ToList());
    }

    private async Task<PublicIncident> ViewAsync(Incident incident, CancellationToken cancellationToken)
    {
        var impact = Impact(incident.Severity);
        var affected = incident.Services.Count > 0
            ? incident.Services
            : options.Value.Tiers.GetValueOrDefault(incident.Tier)?.Services ?? [];
        var published = await updates.ListAsync(incident.Id, cancellationToken);
        var status = incident.IsOpen ? (incident.State == IncidentState.Open ? "investigating" : "identified") : "resolved";
        return new PublicIncident(PublicKey(incident), Title(impact), impact, status, incident.FailureStartedAt ?? incident.OpenedAt,
            incident.ResolvedAt ?? incident.ClosedAt, affected, published.OrderByDescending(u => u.At).ToList());
    }

    /// <summary>P1 takes services down, P2 partly; P3 and P4 degrade them.</summary>
    public static string Impact(string severity) => severity.ToUpperInvariant() switch
    {
        "P1" => "major_outage",
        "P2" => "partial_outage",
        _ => "degraded_performance",
    };

    public static string Title(string impact) => impact switch
    {
        "major_outage" => "Major outage",
        "partial_outage" => "Partial outage",
        "degraded_performance" => "Degraded performance",
        _ => "Operational",
    };

    /// <summary>A stable key that does not reveal the internal incident id.</summary>
    public static string PublicKey(Incident incident) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{incident.Id}|{incident.OpenedAt.UtcTicks}")))[..16];

    private static readonly string[] Order = [Operational, "degraded_performance", "partial_outage", "major_outage"];

    private static string Worst(IEnumerable<string> statuses) =>
        statuses.Select(s => (Status: s, Rank: Array.IndexOf(Order, s))).DefaultIfEmpty((Status: Operational, Rank: 0)).MaxBy(x => x.Rank).Status;
}
