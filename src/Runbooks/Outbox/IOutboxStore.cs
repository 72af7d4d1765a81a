namespace DrBot.Runbooks.Outbox;

public interface IOutboxStore
{
    /// <summary>Stores the message and returns its sequence number (increasing).</summary>
    Task<long> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken);
    /// <summary>
    /// Leases, for each channel, the oldest undelivered message if it is due and not leased by
    /// someone else: delivery order per channel is the enqueue order.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueOutboxAsync(DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken);
    Task MarkDeliveredAsync(long sequence, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// A delivery succeeded: saves the post's <paramref name="reference"/> (when given) and marks
    /// <paramref name="message"/> (as claimed) delivered. Stores that can do both in one write should
    /// override this: the dispatcher calls it once per message delivered.
    /// </summary>
    async Task CompleteDeliveryAsync(OutboxMessage message, DateTimeOffset at, PostReference? reference, CancellationToken cancellationToken)
    {
        if (reference is not null)
        {
            await SavePostReferenceAsync(reference, cancellationToken);
        }
        await MarkDeliveredAsync(message.Sequence, at, cancellationToken);
    }
    Task MarkRetryAsync(long sequence, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken);
    Task<int> CountUndeliveredAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<OutboxMessage>> ListOutboxAsync(bool undeliveredOnly, CancellationToken cancellationToken);

    Task SavePostReferenceAsync(PostReference reference, CancellationToken cancellationToken);
    Task<PostReference?> GetPostReferenceAsync(string channel, string postKey, CancellationToken cancellationToken);
}
