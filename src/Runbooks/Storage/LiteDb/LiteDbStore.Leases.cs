using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

/// <summary>
/// Run leases and optimistic incident updates. One process owns a LiteDB file, so these are simple
/// read-modify-writes under the store lock; they exist so the engine and the incident service use
/// one code path whichever store is configured.
/// </summary>
public sealed partial class LiteDbStore
{
    /// <summary>
    /// Granted whenever the run exists: the file is opened by one process only (the lock file), so a
    /// lease found in it was left by this process or by one that has stopped, and the engine's own
    /// per-run lock already serialises this process's work.
    /// </summary>
    public Task<bool> TryLeaseRunAsync(string runId, string owner, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run("lease run", () =>
        {
            var document = Runs.FindById(runId);
            if (document is null)
            {
                return false;
            }
            var run = StoreJson.ReadRun(ReadJson(document));
            run.LeaseOwner = owner;
            run.LeaseUntil = until;
            document[Json] = StoreJson.Write(run);
            return Runs.Update(document);
        }, cancellationToken);

    public Task ReleaseRunLeaseAsync(string runId, string owner, CancellationToken cancellationToken) =>
        Run("release run lease", () =>
        {
            var document = Runs.FindById(runId);
            if (document is null)
            {
                return;
            }
            var run = StoreJson.ReadRun(ReadJson(document));
            if (!string.Equals(run.LeaseOwner, owner, StringComparison.Ordinal))
            {
                return;
            }
            run.LeaseOwner = null;
            run.LeaseUntil = null;
            document[Json] = StoreJson.Write(run);
            Runs.Update(document);
        }, cancellationToken);

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
