using DrBot.Runbooks.Incidents;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    public Task SaveIncidentAsync(Incident incident, CancellationToken cancellationToken) =>
        Run("save incident", () => Incidents.Upsert(new BsonDocument
        {
            ["_id"] = incident.Id,
            ["open"] = incident.IsOpen,
            ["openedAt"] = Ticks(incident.OpenedAt),
            ["savedAt"] = SavedAt(),
            [Json] = StoreJson.Write(incident),
        }), cancellationToken);

    public Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken) =>
        Run("read incident", () =>
        {
            var document = Incidents.FindById(incidentId);
            return document is null ? null : StoreJson.Read<Incident>(ReadJson(document));
        }, cancellationToken);

    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(bool openOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<Incident>>("list incidents", () =>
        {
            var documents = openOnly ? Incidents.Find(Query.EQ("open", true)) : Incidents.FindAll();
            return documents
                .OrderBy(d => d["openedAt"].AsInt64)
                .ThenBy(d => d["_id"].AsString, StringComparer.Ordinal)
                .Select(d => StoreJson.Read<Incident>(ReadJson(d)))
                .ToList();
        }, cancellationToken);

    public Task<long> NextSequenceAsync(string counter, CancellationToken cancellationToken) =>
        Run("next sequence", () =>
        {
            // Atomic under the store lock: read, add one, write back in one transaction.
            var current = Sequences.FindById(counter);
            var next = (current?["value"].AsInt64 ?? 0) + 1;
            Sequences.Upsert(new BsonDocument { ["_id"] = counter, ["value"] = next });
            return next;
        }, cancellationToken);

    public Task<bool> TryClaimIdempotencyKeyAsync(string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run("claim idempotency key", () => TryInsert(IdempotencyKeys, new BsonDocument
        {
            ["_id"] = key,
            ["at"] = Ticks(at),
        }), cancellationToken);

    public Task SetValueAsync(string key, string value, CancellationToken cancellationToken) =>
        Run("set value", () => Values.Upsert(ValueDocument(key, value, expiresAt: null)), cancellationToken);

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        Run("read value", () => Values.FindById(key)?["value"].AsString, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> GetValuesAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        Run<IReadOnlyDictionary<string, string>>("read values", () =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var collection = Values;
            foreach (var key in keys)
            {
                if (collection.FindById(key) is { } document)
                {
                    values[key] = document["value"].AsString;
                }
            }
            return values;
        }, cancellationToken);
}
