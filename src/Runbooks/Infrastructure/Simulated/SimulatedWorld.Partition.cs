namespace DrBot.Runbooks.Infrastructure.Simulated;

public sealed partial class SimulatedWorld
{
    /// <summary>
    /// Split brain, for the network-partition drill's failure case: the region's replica promotes
    /// itself while cut off from the primary (a misconfigured automatic failover), and nobody fences
    /// the old primary, so two databases accept writes.
    /// </summary>
    public void InjectSplitBrain(string region) => Fault(region, "split-brain", r =>
    {
        r.Database.Role = SimulatedDatabaseNode.PrimaryRole;
        r.Database.ReplicationLagSeconds = 0;
    });
}

public sealed partial class SimulatedWorld
{
    /// <summary>One service's health endpoint answers again (the cascading-failure drill's recovery); other faults stay.</summary>
    public void RestoreService(string region, string service) => Fault(region, $"service-restored {service}", r =>
    {
        if (r.Health.TryGetValue(service, out var health))
            health.Up = true;
    });
}
