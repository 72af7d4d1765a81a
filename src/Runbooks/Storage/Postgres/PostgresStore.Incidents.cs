using DrBot.Runbooks.Incidents;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task SaveIncidentAsync(Incident incident, CancellationToken cancellationToken) =>
        Run("save incident", connection => Execute(connection, cancellationToken, """
            INSERT INTO drbot_incidents (id, open, opened_at, saved_at, version, json) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO UPDATE SET open = EXCLUDED.open, opened_at = EXCLUDED.opened_at, saved_at = EXCLUDED.saved_at,
                version = EXCLUDED.version, json = EXCLUDED.json
            """, incident.Id, incident.IsOpen, Ticks(incident.OpenedAt), SavedAt(), incident.Version, StoreJson.Write(incident)), cancellationToken);

    public Task<bool> TryUpdateIncidentAsync(Incident incident, int expectedVersion, CancellationToken cancellationToken) =>
        Run("update incident", async connection =>
        {
            var next = expectedVersion + 1;
            var previous = incident.Version;
            incident.Version = next;
            var updated = await Execute(connection, cancellationToken, """
                UPDATE drbot_incidents SET open = $2, opened_at = $3, saved_at = $4, version = $5, json = $6
                WHERE id = $1 AND version = $7
                """, incident.Id, incident.IsOpen, Ticks(incident.OpenedAt), SavedAt(), next, StoreJson.Write(incident), expectedVersion) == 1;
            if (!updated)
            {
                incident.Version = previous;
            }
            return updated;
        }, cancellationToken);

    public Task<Incident?> GetIncidentAsync(string incidentId, CancellationToken cancellationToken) =>
        Run("read incident", async connection =>
        {
            var json = await QueryJson(connection, cancellationToken, "SELECT json FROM drbot_incidents WHERE id = $1", incidentId);
            return json is null ? null : StoreJson.Read<Incident>(json);
        }, cancellationToken);

    public Task<IReadOnlyList<Incident>> ListIncidentsAsync(bool openOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<Incident>>("list incidents", async connection => await Query(connection, cancellationToken,
            r => StoreJson.Read<Incident>(r.GetString(0)),
            "SELECT json FROM drbot_incidents WHERE open OR NOT $1 ORDER BY opened_at, id COLLATE \"C\"", openOnly), cancellationToken);

    public Task<long> NextSequenceAsync(string counter, CancellationToken cancellationToken) =>
        Run("next sequence", async connection => (await Query(connection, cancellationToken, r => r.GetInt64(0), """
            INSERT INTO drbot_sequences (name, value) VALUES ($1, 1)
            ON CONFLICT (name) DO UPDATE SET value = drbot_sequences.value + 1
            RETURNING value
            """, counter))[0], cancellationToken);

    public Task<bool> TryClaimIdempotencyKeyAsync(string key, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run("claim idempotency key", connection => TryInsert(connection, cancellationToken,
            "INSERT INTO drbot_idempotency_keys (key, at) VALUES ($1, $2)", key, Ticks(at)), cancellationToken);

    /// <summary>
    /// One round trip for the batch: the unique key decides, <c>ON CONFLICT DO NOTHING</c> returns only
    /// the keys this call inserted, and a key repeated in the list counts for its first occurrence.
    /// </summary>
    public Task<IReadOnlyList<bool>> TryClaimIdempotencyKeysAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<bool>>("claim idempotency keys", async connection =>
        {
            if (keys.Count == 0)
            {
                return [];
            }
            var inserted = (await Query(connection, cancellationToken, r => r.GetString(0), """
                INSERT INTO drbot_idempotency_keys (key, at) SELECT DISTINCT k, $2 FROM unnest($1::text[]) AS k
                ON CONFLICT (key) DO NOTHING RETURNING key
                """, keys.ToArray(), Ticks(at))).ToHashSet(StringComparer.Ordinal);
            return keys.Select(k => inserted.Remove(k)).ToList();
        }, cancellationToken);

    public Task SetValueAsync(string key, string value, CancellationToken cancellationToken) =>
        Run("set value", connection => Execute(connection, cancellationToken,
            "INSERT INTO drbot_values (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = NULL", key, value), cancellationToken);

    public Task<string?> GetValueAsync(string key, CancellationToken cancellationToken) =>
        Run("read value", connection => QueryJson(connection, cancellationToken, "SELECT value FROM drbot_values WHERE key = $1", key), cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> GetValuesAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        // The array is one parameter: wrapped, or params would spread its keys into separate ones.
        Run<IReadOnlyDictionary<string, string>>("read values", async connection =>
            (await Query(connection, cancellationToken, r => (Key: r.GetString(0), Value: r.GetString(1)),
                "SELECT key, value FROM drbot_values WHERE key = ANY($1)", [keys.ToArray()]))
                .ToDictionary(row => row.Key, row => row.Value, StringComparer.Ordinal), cancellationToken);
}
