using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    // Indexed fields that only retention reads: when a message was delivered, when a value may go.
    private const string DeliveredAtField = "deliveredAt";
    private const string ExpiresAtField = "expiresAt";

    private static BsonDocument ValueDocument(string key, string value, long? expiresAt) => expiresAt is { } ticks
        ? new BsonDocument { ["_id"] = key, ["value"] = value, [ExpiresAtField] = ticks }
        : new BsonDocument { ["_id"] = key, ["value"] = value };

    /// <summary>
    /// A missing field is null to LiteDB's index, and null sorts before every number, so the ranges
    /// start at zero (a value without expiry never matches). One transaction per kind, each at most <see cref="PruneRequest.MaxRows"/> deletes, so the store
    /// lock is never held for long. Messages delivered before delivery times were stored have none
    /// and count as delivered long ago. The file keeps its size (LiteDB reuses the freed pages). Each
/// pass ends by releasing LiteDB's page cache, which would otherwise only grow.
    /// </summary>
    public Task<PruneCounts> PruneAsync(PruneRequest request, CancellationToken cancellationToken) =>
        Run("prune", () =>
        {
            var outbox = DeleteIds(Outbox, Query.And(Query.EQ("delivered", true), Query.Between(DeliveredAtField, 0L, Ticks(request.DeliveredOutboxBefore) - 1)), request.MaxRows);
            outbox += DeleteIds(Outbox, Query.And(Query.EQ("delivered", true), Query.EQ(DeliveredAtField, BsonValue.Null)), request.MaxRows - outbox);
            var keys = 0;
            foreach (var cutoff in request.Keys)
            {
                keys += DeleteIds(IdempotencyKeys, Query.And(Query.StartsWith("_id", cutoff.Prefix), Query.LT("at", Ticks(cutoff.Before))), request.MaxRows - keys);
            }
            var values = DeleteIds(Values, Query.Between(ExpiresAtField, 0L, Ticks(request.ValuesExpiredBy)), request.MaxRows);
            ReleasePageCache();
            return new PruneCounts(outbox, keys, values);
        }, cancellationToken);

    private int DeleteIds(ILiteCollection<BsonDocument> collection, BsonExpression query, int limit)
    {
        if (limit <= 0)
        {
            return 0;
        }
        var ids = collection.Query().Where(query).Select("{ id: $._id }").Limit(limit).ToList();
        if (ids.Count == 0)
        {
            return 0;
        }
        _db.BeginTrans();
        try
        {
            foreach (var id in ids)
            {
                collection.Delete(id["id"]);
            }
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
        return ids.Count;
    }
}
