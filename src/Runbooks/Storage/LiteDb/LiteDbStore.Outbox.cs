using DrBot.Runbooks.Outbox;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    private const string PayloadField = "payload";

    // The last outbox sequence handed out, read from the file on first use. Guarded by the store lock.
    private long? _lastOutboxSequence;

    public Task<long> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        Run("enqueue outbox message", () =>
        {
            var staged = new Dictionary<OutboxCard, long>();
            EnqueuedOutbox enqueued;
            _db.BeginTrans();
            try
            {
                enqueued = EnqueueInTransaction(message, staged);
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            AfterOutboxCommit([enqueued], staged);
            return enqueued.Sequence;
        }, cancellationToken);

    /// <summary>
    /// Inside the caller's transaction: one insert, numbered by the store's own sequence (this store
    /// owns its file, so the next number is kept in memory). The caller adds the sequence to its
    /// channel's queue once committed; a rolled-back number is simply never used.
    /// </summary>
    private long InsertOutbox(OutboxMessage message)
    {
        _lastOutboxSequence ??= Outbox.Count() == 0 ? 0 : Outbox.Max().AsInt64;
        var sequence = ++_lastOutboxSequence;
        Outbox.Insert(OutboxDocument(message with { Sequence = sequence.Value, DeliveredAt = null, LeaseOwner = null, LeaseUntil = null }));
        return sequence.Value;
    }

    public Task<IReadOnlyList<OutboxMessage>> ClaimDueOutboxAsync(DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<OutboxMessage>>("claim outbox", () =>
        {
            var claimed = new List<OutboxMessage>();
            var heads = new List<OutboxMessage>();
            foreach (var queue in PendingOutboxByChannel.Values)
            {
                if (OutboxHead(queue) is { } head)
                {
                    heads.Add(head);
                }
            }
            foreach (var head in heads.OrderBy(m => m.Sequence))
            {
                // Only the oldest undelivered message per channel may go, so order per channel holds.
                var due = head.NextAttemptAt is null || head.NextAttemptAt <= now;
                var free = !_outboxLeases.TryGetValue(head.Sequence, out var held) || held.Until <= now || string.Equals(held.Owner, owner, StringComparison.Ordinal);
                if (due && free)
                {
                    _outboxLeases[head.Sequence] = (owner, now + lease);
                    claimed.Add(head with { LeaseOwner = owner, LeaseUntil = now + lease });
                }
            }
            return claimed;
        }, cancellationToken);

    public Task MarkDeliveredAsync(long sequence, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run("mark outbox delivered", () =>
        {
            var message = FindOutbox(sequence);
            WriteDelivered(message, at);
            ForgetDelivered(message);
        }, cancellationToken);

    /// <summary>One transaction for the reference and the delivered mark, from the message as claimed (no re-read).</summary>
    public Task CompleteDeliveryAsync(OutboxMessage message, DateTimeOffset at, PostReference? reference, CancellationToken cancellationToken) =>
        Run("complete outbox delivery", () =>
        {
            // Loaded (if not yet) before the transaction, so the queues mirror committed data only.
            _ = PendingOutboxByChannel;
            _db.BeginTrans();
            try
            {
                if (reference is not null)
                {
                    PostReferences.Upsert(PostReferenceDocument(reference));
                }
                WriteDelivered(message, at);
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
            ForgetDelivered(message);
        }, cancellationToken);

    private void WriteDelivered(OutboxMessage message, DateTimeOffset at) =>
        Outbox.Update(OutboxDocument(message with { DeliveredAt = at, Attempts = message.Attempts + 1, LeaseOwner = null, LeaseUntil = null }));

    /// <summary>Only once the delivered mark is written: a failed write leaves the message queued and leased as it was.</summary>
    private void ForgetDelivered(OutboxMessage message)
    {
        PendingOutbox(message.Channel).Remove(message.Sequence);
        _outboxLeases.Remove(message.Sequence);
        ForgetPendingCard(message);
    }

    public Task MarkRetryAsync(long sequence, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken) =>
        Run("mark outbox retry", () =>
        {
            var message = FindOutbox(sequence);
            Outbox.Update(OutboxDocument(message with
            {
                Attempts = message.Attempts + 1,
                NextAttemptAt = nextAttemptAt,
                LastError = error,
                LeaseOwner = null,
                LeaseUntil = null,
            }));
            _outboxLeases.Remove(sequence);
        }, cancellationToken);

    public Task<int> CountUndeliveredAsync(CancellationToken cancellationToken) =>
        Run("count outbox", () => PendingOutboxByChannel.Values.Sum(queue => queue.Count), cancellationToken);

    public Task<IReadOnlyList<OutboxMessage>> ListOutboxAsync(bool undeliveredOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<OutboxMessage>>("list outbox", () =>
            (undeliveredOnly ? Outbox.Find(Query.EQ("delivered", false)) : Outbox.FindAll())
                .Select(ReadOutbox)
                .OrderBy(m => m.Sequence)
                .ToList(), cancellationToken);

    public Task SavePostReferenceAsync(PostReference reference, CancellationToken cancellationToken) =>
        Run("save post reference", () => PostReferences.Upsert(PostReferenceDocument(reference)), cancellationToken);

    private static BsonDocument PostReferenceDocument(PostReference reference) => new()
    {
        ["_id"] = PostKey(reference.Channel, reference.PostKey),
        [Json] = StoreJson.Write(reference),
    };

    public Task<PostReference?> GetPostReferenceAsync(string channel, string postKey, CancellationToken cancellationToken) =>
        Run("read post reference", () =>
        {
            var document = PostReferences.FindById(PostKey(channel, postKey));
            return document is null ? null : StoreJson.Read<PostReference>(ReadJson(document));
        }, cancellationToken);

    private OutboxMessage FindOutbox(long sequence)
    {
        var document = Outbox.FindById(sequence)
            ?? throw new InvalidOperationException($"Outbox message {sequence} does not exist.");
        return ReadOutbox(document);
    }

    /// <summary>
    /// The card payload is kept as its own field beside the JSON of the rest, so claiming and marking
    /// a message never escapes or unescapes a card of several kilobytes. Messages written before that
    /// carry the payload inside their JSON.
    /// </summary>
    private static OutboxMessage ReadOutbox(BsonDocument document)
    {
        var message = StoreJson.Read<OutboxMessage>(ReadJson(document));
        return document.TryGetValue(PayloadField, out var payload) ? message with { Payload = payload.AsString } : message;
    }

    private static BsonDocument OutboxDocument(OutboxMessage message)
    {
        var document = new BsonDocument
        {
            ["_id"] = message.Sequence,
            ["channel"] = message.Channel,
            ["delivered"] = message.DeliveredAt is not null,
            [PayloadField] = message.Payload,
            [Json] = StoreJson.Write(message with { Payload = "" }),
        };
        if (message.DeliveredAt is { } deliveredAt)
        {
            document[DeliveredAtField] = Ticks(deliveredAt);
        }
        return document;
    }

    private static string PostKey(string channel, string postKey) => $"{channel}\u001f{postKey}";
}
