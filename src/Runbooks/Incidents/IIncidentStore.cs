namespace DrBot.Runbooks.Incidents;

public interface IIncidentStore
{
    Task SaveIncidentAsync(Incident incident, CancellationToken cancellationToken);
    Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken);
    Task<IReadOnlyList<Incident>> ListIncidentsAsync(bool openOnly, CancellationToken cancellationToken);
    /// <summary>
    /// Optimistic update for several replicas: saves the incident as version <paramref name="expectedVersion"/> + 1
    /// only when the stored incident is still at <paramref name="expectedVersion"/>, and then sets
    /// <see cref="Incident.Version"/> to the new version. False (nothing written) when another writer saved first
    /// or the incident does not exist: reload, reapply, try again.
    /// </summary>
    Task<bool> TryUpdateIncidentAsync(Incident incident, int expectedVersion, CancellationToken cancellationToken);
    /// <summary>Next number of a named counter (incident and run numbers), starting at 1.</summary>
    Task<long> NextSequenceAsync(string counter, CancellationToken cancellationToken);
}
