using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    /// <summary>
    /// All keys in one LiteDB transaction (one commit, one write to the log file) instead of one per
    /// key. A duplicate insert would abort the whole transaction in LiteDB, so each key is looked up
    /// first — safe here because the store lock and the exclusive file make lookup and insert one
    /// step; the unique _id index still refuses a duplicate. The lookup sees the keys inserted
    /// earlier in the same transaction, so a key repeated in the list is claimed once, and it uses
    /// the index's own comparison, exactly as the single claim does.
    /// </summary>
    public Task<IReadOnlyList<bool>> TryClaimIdempotencyKeysAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<bool>>("claim idempotency keys", () =>
        {
            var claimed = new bool[keys.Count];
            if (keys.Count == 0)
            {
                return claimed;
            }
            var collection = IdempotencyKeys;
            _db.BeginTrans();
            try
            {
                for (var i = 0; i < keys.Count; i++)
                {
                    if (collection.FindById(keys[i]) is null)
                    {
                        collection.Insert(new BsonDocument { ["_id"] = keys[i], ["at"] = Ticks(at) });
                        claimed[i] = true;
                    }
                }
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            return claimed;
        }, cancellationToken);
}
