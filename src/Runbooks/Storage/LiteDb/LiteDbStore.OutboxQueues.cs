using DrBot.Runbooks.Outbox;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    // The undelivered sequence numbers of each channel, so claiming finds each channel's head
    // without reading (and parsing) every undelivered message: that scan took tens of milliseconds
    // under the store lock once a burst of alerts had queued a few thousand cards. This store owns
    // its file exclusively, so the queues are loaded once from the file and then kept in step with
    // it (changed only after the write they mirror has succeeded). Guarded by the store lock.
    private Dictionary<string, SortedSet<long>>? _pendingOutbox;

    // Delivery leases, by sequence. Kept in memory only: with the file owned by one process a lease
    // never has to be seen by another, claiming no longer rewrites the message, and after a restart
    // nothing waits for the lease of a process that is gone. Guarded by the store lock.
    private readonly Dictionary<long, (string Owner, DateTimeOffset Until)> _outboxLeases = [];

    private Dictionary<string, SortedSet<long>> PendingOutboxByChannel => _pendingOutbox ??= LoadPendingOutbox();

    private SortedSet<long> PendingOutbox(string channel)
    {
        if (!PendingOutboxByChannel.TryGetValue(channel, out var queue))
        {
            queue = [];
            PendingOutboxByChannel[channel] = queue;
        }
        return queue;
    }

    private Dictionary<string, SortedSet<long>> LoadPendingOutbox()
    {
        var queues = new Dictionary<string, SortedSet<long>>(StringComparer.Ordinal);
        foreach (var document in Outbox.Find(Query.EQ("delivered", false)))
        {
            var channel = document["channel"].AsString;
            if (!queues.TryGetValue(channel, out var queue))
            {
                queue = [];
                queues[channel] = queue;
            }
            queue.Add(document["_id"].AsInt64);
        }
        return queues;
    }

    /// <summary>The oldest undelivered message of one channel's queue, or null when it is empty.</summary>
    private OutboxMessage? OutboxHead(SortedSet<long> queue)
    {
        while (queue.Count > 0)
        {
            var sequence = queue.Min;
            var document = Outbox.FindById(sequence);
            if (document is not null && !document["delivered"].AsBoolean)
            {
                return ReadOutbox(document);
            }
            // Not pending in the file after all: the file is the truth.
            queue.Remove(sequence);
        }
        return null;
    }
}
