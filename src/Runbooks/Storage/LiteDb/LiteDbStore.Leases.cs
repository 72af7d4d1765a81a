using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

/// <summary>
/// Run leases and optimistic incident updates. One process owns a LiteDB file, so these are simple
/// read-modify-writes under the store lock; the run lease lives in the document's own fields (never
/// in the run's JSON), so the engine fences its saves the same way whichever store is configured.
/// </summary>
public sealed partial class LiteDbStore
{
    /// <summary>
    /// The same lease as the shared store's, so two engines on one file (or a step that outlives its
    /// lease) are fenced alike: granted when the run is unleased, its lease expired at
    /// <paramref name="now"/>, or <paramref name="owner"/> holds it already.
    /// </summary>
    public Task<bool> TryLeaseRunAsync(string runId, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run("lease run", () =>
        {
            var document = Runs.FindById(runId);
            if (document is null)
            {
                return false;
            }
            var holder = LeaseOwnerOf(document);
            if (holder is not null && LeaseUntilOf(document) > now && !string.Equals(holder, owner, StringComparison.Ordinal))
            {
                return false;
            }
            document[LeaseOwnerField] = owner;
            document[LeaseUntilField] = Ticks(until);
            return Runs.Update(document);
        }, cancellationToken);

    public Task<bool> TryRenewRunLeaseAsync(string runId, string owner, DateTimeOffset until, CancellationToken cancellationToken) =>
        Run("renew run lease", () =>
        {
            var document = Runs.FindById(runId);
            if (document is null || !string.Equals(LeaseOwnerOf(document), owner, StringComparison.Ordinal))
            {
                return false;
            }
            document[LeaseUntilField] = Ticks(until);
            return Runs.Update(document);
        }, cancellationToken);

    public Task ReleaseRunLeaseAsync(string runId, string owner, CancellationToken cancellationToken) =>
        Run("release run lease", () =>
        {
            var document = Runs.FindById(runId);
            if (document is null || !string.Equals(LeaseOwnerOf(document), owner, StringComparison.Ordinal))
            {
                return;
            }
            document[LeaseOwnerField] = BsonValue.Null;
            document[LeaseUntilField] = BsonValue.Null;
            Runs.Update(document);
        }, cancellationToken);

    /// <summary>
    /// At open: one process owns the file (the lock file), so a lease found in it was left by a process
    /// that has stopped; it is void, and this process resumes those runs at once.
    /// </summary>
    private void ClearLeasesLeftByEarlierProcesses()
    {
        foreach (var document in Runs.Find(Query.EQ("finished", false)).ToList())
        {
            if (LeaseOwnerOf(document) is not null)
            {
                document[LeaseOwnerField] = BsonValue.Null;
                document[LeaseUntilField] = BsonValue.Null;
                Runs.Update(document);
            }
        }
    }

    public Task<bool> TryUpdateIncidentAsync(Incident incident, int expectedVersion, CancellationToken cancellationToken) =>
        Run("update incident", () =>
        {
            var document = Incidents.FindById(incident.Id);
            if (document is null || StoreJson.Read<Incident>(ReadJson(document)).Version != expectedVersion)
            {
                return false;
            }
            incident.Version = expectedVersion + 1;
            document["open"] = incident.IsOpen;
            document["openedAt"] = Ticks(incident.OpenedAt);
            document["savedAt"] = SavedAt();
            document[Json] = StoreJson.Write(incident);
            return Incidents.Update(document);
        }, cancellationToken);
}
