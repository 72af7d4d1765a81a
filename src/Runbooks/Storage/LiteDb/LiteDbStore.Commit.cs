using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    /// <summary>
    /// One LiteDB transaction, so one write to the log file however many groups and cards it carries.
    /// Each claim is looked up before it is inserted (a duplicate insert would abort the transaction):
    /// the store lock and the exclusive file make lookup and insert one step.
    /// </summary>
    public Task<bool> TryCommitAsync(StoreCommit commit, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run("commit", () =>
        {
            var enqueued = new List<(string Channel, long Sequence)>(commit.Messages.Count);
            _db.BeginTrans();
            try
            {
                var keys = IdempotencyKeys;
                foreach (var key in commit.Claims)
                {
                    if (keys.FindById(key) is not null)
                    {
                        _db.Rollback();
                        return false;
                    }
                    keys.Insert(new BsonDocument { ["_id"] = key, ["at"] = Ticks(at) });
                }
                var values = Values;
                foreach (var (key, value) in commit.LastValues())
                {
                    values.Upsert(new BsonDocument { ["_id"] = key, ["value"] = value });
                }
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
