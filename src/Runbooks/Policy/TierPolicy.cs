using DrBot.Runbooks.Incidents;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Policy;

/// <summary>
/// What the strategy measures an incident against: the tier's RTO and RPO, and how long detection,
/// failover and recovery actually took. Null durations are not yet known.
/// </summary>
public sealed record IncidentMetrics(
    string Tier,
    TimeSpan RtoTarget,
    TimeSpan RpoTarget,
    TimeSpan Elapsed,
    TimeSpan? TimeToDetect,
    TimeSpan? TimeToAcknowledge,
    TimeSpan? TimeToFailover,
    TimeSpan? MeasuredRto,
    TimeSpan? MeasuredRpo)
{
    /// <summary>Null until a failover completed.</summary>
    public bool? RtoMet => MeasuredRto is { } rto ? rto <= RtoTarget : null;
    /// <summary>Null until a data-loss window was measured.</summary>
    public bool? RpoMet => MeasuredRpo is { } rpo ? rpo <= RpoTarget : null;
    /// <summary>How much of the RTO target is left now (negative once it is breached); null after the failover.</summary>
    public TimeSpan? RtoRemaining => MeasuredRto is null ? RtoTarget - Elapsed : null;
}

/// <summary>Service tiers (critical, important, non-critical) with their RTO/RPO targets and services.</summary>
public sealed class TierPolicy
{
    private readonly Dictionary<string, TierOptions> _tiers;

    public TierPolicy(IOptions<DrBotOptions> options)
        : this(options.Value)
    {
    }

    public TierPolicy(DrBotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _tiers = new Dictionary<string, TierOptions>(
            options.Tiers.Count > 0 ? options.Tiers : DrBotOptionsDefaults.Create().Tiers,
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Tier names, most demanding (shortest RTO) first.</summary>
    public IReadOnlyList<string> Names => _tiers.OrderBy(t => t.Value.Rto).Select(t => t.Key).ToList();

    public string ValidList => $"valid: {string.Join(", ", Names)}";

    public string? Normalize(string? tier) =>
        tier is null ? null : _tiers.Keys.FirstOrDefault(k => string.Equals(k, tier.Trim(), StringComparison.OrdinalIgnoreCase));

    public TierOptions? Find(string? tier) => Normalize(tier) is { } name ? _tiers[name] : null;

    public TierOptions Get(string tier) =>
        Find(tier) ?? throw new ArgumentException($"Unknown tier '{tier}' ({ValidList}).", nameof(tier));

    /// <summary>The tier holding <paramref name="service"/>, or null when no tier lists it.</summary>
    public string? TierOf(string service) =>
        _tiers.OrderBy(t => t.Value.Rto)
            .FirstOrDefault(t => t.Value.Services.Contains(service, StringComparer.OrdinalIgnoreCase)).Key;

    /// <summary>The most demanding tier among the services (an outage is measured against its strictest target), or null.</summary>
    public string? TierFor(IEnumerable<string> services) =>
        services.Select(TierOf).OfType<string>().OrderBy(t => _tiers[t].Rto).FirstOrDefault();

    public TimeSpan Rto(string tier) => Get(tier).Rto;

    public TimeSpan Rpo(string tier) => Get(tier).Rpo;

    /// <summary>
    /// Measures the incident: time to detect (detected − failure start), time to acknowledge,
    /// time to failover (failover completed − detected), measured RTO (failover completed −
    /// failure start, or − opened when the start is unknown), and the measured RPO.
    /// </summary>
    public IncidentMetrics Measure(Incident incident, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var tierName = Normalize(incident.Tier) ?? Names[0];
        var tier = _tiers[tierName];
        var outageStart = incident.FailureStartedAt ?? incident.OpenedAt;
        var detected = incident.DetectedAt ?? incident.OpenedAt;
        var end = incident.ResolvedAt ?? now;
        return new IncidentMetrics(
            tierName,
            tier.Rto,
            tier.Rpo,
            Elapsed: end - outageStart,
            TimeToDetect: incident.FailureStartedAt is { } started ? detected - started : null,
            TimeToAcknowledge: incident.AcknowledgedAt - incident.OpenedAt,
            TimeToFailover: incident.FailoverCompletedAt - detected,
            MeasuredRto: incident.FailoverCompletedAt - outageStart,
            MeasuredRpo: incident.MeasuredRpo);
    }
}
