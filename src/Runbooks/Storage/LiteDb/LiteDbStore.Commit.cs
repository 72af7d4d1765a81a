using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    /// <summary>
    /// One LiteDB transaction, so one write to the log file however many groups and cards it carries.
    /// The claims are looked up (one query) before they are inserted (a duplicate insert would abort the
    /// transaction): the store lock and the exclusive file make lookup and insert one step.
    /// </summary>
    public Task<bool> TryCommitAsync(StoreCommit commit, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run("commit", () =>
        {
            var enqueued = new List<(string Channel, long Sequence)>(commit.Messages.Count);
            _db.BeginTrans();
            try
            {
                var keys = IdempotencyKeys;
                var repeated = commit.Claims.Distinct(StringComparer.Ordinal).Count() != commit.Claims.Count;
                if (repeated || (commit.Claims.Count > 0 && keys.Exists(Query.In("_id", commit.Claims.Select(k => new BsonValue(k))))))
                {
                    _db.Rollback();
                    return false;
                }
                keys.InsertBulk(commit.Claims.Select(key => new BsonDocument { ["_id"] = key, ["at"] = Ticks(at) }));
                Values.Upsert(commit.LastValues().Select(v => new BsonDocument { ["_id"] = v.Key, ["value"] = v.Value }));
                foreach (var message in commit.Messages)
                {
                    enqueued.Add((message.Channel, InsertOutbox(message)));
                }
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            foreach (var (channel, sequence) in enqueued)
            {
                PendingOutbox(channel).Add(sequence);
            }
            return true;
        }, cancellationToken);
}
