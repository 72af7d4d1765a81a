using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Incidents;

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

/// <summary>Measuring an incident against its tier (the policy knows targets, not incidents).</summary>
public static class IncidentMeasures
{
    /// <summary>
    /// Measures the incident: time to detect (detected − failure start), time to acknowledge,
    /// time to failover (failover completed − detected), measured RTO (failover completed −
    /// failure start, or − opened when the start is unknown), and the measured RPO.
    /// </summary>
    public static IncidentMetrics Measure(this TierPolicy tiers, Incident incident, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(incident);
        var tierName = tiers.Normalize(incident.Tier) ?? tiers.Names[0];
        var outageStart = incident.FailureStartedAt ?? incident.OpenedAt;
        var detected = incident.DetectedAt ?? incident.OpenedAt;
        var end = incident.ResolvedAt ?? now;
        return new IncidentMetrics(
            tierName,
            tiers.Rto(tierName),
            tiers.Rpo(tierName),
            Elapsed: end - outageStart,
            TimeToDetect: incident.FailureStartedAt is { } started ? detected - started : null,
            TimeToAcknowledge: incident.AcknowledgedAt - incident.OpenedAt,
            TimeToFailover: incident.FailoverCompletedAt - detected,
            MeasuredRto: incident.FailoverCompletedAt - outageStart,
            MeasuredRpo: incident.MeasuredRpo);
    }
}
