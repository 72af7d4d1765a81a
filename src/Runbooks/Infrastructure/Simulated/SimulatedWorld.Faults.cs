namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>The faults a drill can inject, by the names the drill command takes.</summary>
public static class SimulatedFaultKinds
{
    public const string RegionDown = "region-down";
    public const string DatabaseCrash = "database-crash";
    public const string SecondaryUnhealthy = "secondary-unhealthy";
    public const string ReplicationLag = "replication-lag";
    public const string DataInconsistency = "data-inconsistency";
    public const string ServiceDown = "service-down";
    public const string Clear = "clear";

    public static readonly IReadOnlyList<string> All = [RegionDown, DatabaseCrash, SecondaryUnhealthy, ReplicationLag, DataInconsistency, ServiceDown, Clear];
}

public sealed record SimulatedFaultResult(bool Ok, string Message);

public sealed partial class SimulatedWorld
{
    /// <summary>The whole region is unreachable: database, cache, cluster and health endpoints.</summary>
    public void InjectRegionDown(string region) => Fault(region, SimulatedFaultKinds.RegionDown, r => r.Down = true);

    /// <summary>The region's PostgreSQL server is down; the rest of the region runs.</summary>
    public void InjectDatabaseCrash(string region) => Fault(region, SimulatedFaultKinds.DatabaseCrash, r => r.Database.Crashed = true);

    /// <summary>The region's services answer 503 (the strategy's <c>secondary_unhealthy</c>).</summary>
    public void InjectUnhealthy(string region) => Fault(region, SimulatedFaultKinds.SecondaryUnhealthy, r => r.Unhealthy = true);

    /// <summary>The region's replica is <paramref name="seconds"/> behind the primary.</summary>
    public void InjectReplicationLag(string region, double seconds)
    {
        if (seconds < 0 || double.IsNaN(seconds) || double.IsInfinity(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Replication lag must be zero or more seconds.");
        }
        Fault(region, $"{SimulatedFaultKinds.ReplicationLag} {seconds:0.#}s", r => r.Database.ReplicationLagSeconds = seconds);
    }

    /// <summary>The region's data no longer matches (<c>data_inconsistency_detected</c> after a failover to it).</summary>
    public void InjectDataInconsistency(string region) => Fault(region, SimulatedFaultKinds.DataInconsistency, r => r.Database.Inconsistent = true);

    /// <summary>One service's health endpoint fails.</summary>
    public void InjectServiceDown(string region, string service) => Fault(region, $"{SimulatedFaultKinds.ServiceDown} {service}", r =>
    {
        if (!r.Health.TryGetValue(service, out var health))
        {
            throw new ArgumentException($"Region '{r.Name}' has no service '{service}' (services: {string.Join(", ", r.Health.Keys)}).", nameof(service));
        }
        health.Up = false;
    });

    /// <summary>Clears every fault of one region, or of all regions. Roles, replicas and endpoints stay as the runbooks left them.</summary>
    public void ClearFaults(string? region = null)
    {
        lock (_gate)
        using (ShareFile())
        {
            var regions = region is null ? _state.Regions.Values.ToList() : [Find(_state, region)];
            foreach (var r in regions)
            {
                r.Down = false;
                r.Unhealthy = false;
                r.Database.Crashed = false;
                r.Database.Inconsistent = false;
                r.Database.ReplicationLagSeconds = r.Database.IsPrimary ? 0 : Math.Min(r.Database.ReplicationLagSeconds, 2);
                foreach (var health in r.Health.Values)
                {
                    health.Up = true;
                }
            }
            _state.FaultLog.Add($"{Now:O} {SimulatedFaultKinds.Clear} {region ?? "all regions"}");
            Save();
        }
    }

    /// <summary>
    /// Applies a fault by name, as a drill command gives it; a bad name, region or value is
    /// answered with what is valid and changes nothing.
    /// </summary>
    public SimulatedFaultResult ApplyFault(string kind, string? region, string? value = null)
    {
        var known = Read(s => s.Regions.Keys.ToList());
        var normalized = kind?.Trim().ToLowerInvariant() ?? "";
        if (!SimulatedFaultKinds.All.Contains(normalized))
        {
            return new(false, $"Unknown fault '{kind}' (valid: {string.Join(", ", SimulatedFaultKinds.All)}).");
        }
        if (normalized == SimulatedFaultKinds.Clear && string.IsNullOrWhiteSpace(region))
        {
            ClearFaults();
            return new(true, "Cleared every fault in every region.");
        }
        if (region is null || !known.Contains(region, StringComparer.OrdinalIgnoreCase))
        {
            return new(false, $"Unknown region '{region}' (valid: {string.Join(", ", known)}).");
        }
        switch (normalized)
        {
            case SimulatedFaultKinds.RegionDown: InjectRegionDown(region); break;
            case SimulatedFaultKinds.DatabaseCrash: InjectDatabaseCrash(region); break;
            case SimulatedFaultKinds.SecondaryUnhealthy: InjectUnhealthy(region); break;
            case SimulatedFaultKinds.DataInconsistency: InjectDataInconsistency(region); break;
            case SimulatedFaultKinds.Clear: ClearFaults(region); break;
            case SimulatedFaultKinds.ReplicationLag:
                if (!double.TryParse(value?.TrimEnd('s', 'S'), System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
                {
                    return new(false, $"Replication lag needs a number of seconds, e.g. '{SimulatedFaultKinds.ReplicationLag} {region} 90' (got '{value}').");
                }
                InjectReplicationLag(region, seconds);
                break;
            case SimulatedFaultKinds.ServiceDown:
                var services = GetRegion(region).Health.Keys.ToList();
                if (value is null || !services.Contains(value, StringComparer.OrdinalIgnoreCase))
                {
                    return new(false, $"Service-down needs one of {region}'s services: {string.Join(", ", services)} (got '{value}').");
                }
                InjectServiceDown(region, value);
                break;
        }
        return new(true, $"Injected {normalized} in {region}{(value is null ? "" : $" ({value})")}.");
    }

    private void Fault(string region, string description, Action<SimulatedRegion> apply)
    {
        lock (_gate)
        using (ShareFile())
        {
            var target = Find(_state, region);
            apply(target);
            _state.FaultLog.Add($"{Now:O} {description} {target.Name}");
            Save();
        }
    }
}
