using DrBot.Runbooks.Outbox;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    /// <summary>
    /// One LiteDB transaction, so one write to the log file however many groups and cards it carries.
    /// The claims go in first: the unique index refuses one already taken, and the rollback undoes the
    /// whole commit.
    /// </summary>
    public Task<bool> TryCommitAsync(StoreCommit commit, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run("commit", () =>
        {
            var enqueued = new List<EnqueuedOutbox>(commit.Messages.Count);
            var staged = new Dictionary<OutboxCard, long>();
            _db.BeginTrans();
            try
            {
                foreach (var key in commit.Releases)
                {
                    IdempotencyKeys.Delete(key);
                }
                try
                {
                    IdempotencyKeys.InsertBulk(commit.Claims.Select(key => new BsonDocument { ["_id"] = key, ["at"] = Ticks(at) }));
                }
                catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
                {
                    // Taken already, or repeated in the list: the unique index refuses it and the whole commit is undone.
                    _db.Rollback();
                    return false;
                }
                foreach (var run in commit.Runs)
                {
                    if (!TrySaveRun(run, commit.RunOwner))
                    {
                        // The fence does not hold (the lease moved on, or another version was saved): nothing is written.
                        _db.Rollback();
                        return false;
                    }
                }
                AppendJournalInTransaction(commit.Journal);
                Values.Upsert(commit.LastValues().Select(v => ValueDocument(v.Key, v.Value, commit.ExpiryTicks(v.Key))));
                foreach (var message in commit.Messages)
                {
                    enqueued.Add(EnqueueInTransaction(message, staged));
                }
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            AfterOutboxCommit(enqueued, staged);
            return true;
        }, cancellationToken);
}
