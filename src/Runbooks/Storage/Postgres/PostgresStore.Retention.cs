namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>
    /// Each kind is one statement deleting at most <see cref="PruneRequest.MaxRows"/> rows found by
    /// its index (delivery time, claim time, expiry), so no statement holds locks for long and
    /// replicas pruning at once only delete what the other has not.
    /// </summary>
    public Task<PruneCounts> PruneAsync(PruneRequest request, CancellationToken cancellationToken) =>
        Run("prune", async connection =>
        {
            var outbox = await Execute(connection, cancellationToken, """
                DELETE FROM drbot_outbox WHERE seq IN (
                    SELECT seq FROM drbot_outbox WHERE delivered AND delivered_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
                """, Ticks(request.DeliveredOutboxBefore), request.MaxRows);
            var keys = 0;
            foreach (var cutoff in request.Keys)
            {
                keys += await Execute(connection, cancellationToken, """
                    DELETE FROM drbot_idempotency_keys WHERE key IN (
                        SELECT key FROM drbot_idempotency_keys WHERE at < $2 AND starts_with(key, $1) LIMIT $3 FOR UPDATE SKIP LOCKED)
                    """, cutoff.Prefix, Ticks(cutoff.Before), Math.Max(0, request.MaxRows - keys));
            }
            var values = await Execute(connection, cancellationToken, """
                DELETE FROM drbot_values WHERE key IN (
                    SELECT key FROM drbot_values WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
                """, Ticks(request.ValuesExpiredBy), request.MaxRows);
            return new PruneCounts(outbox, keys, values);
        }, cancellationToken);
}
