using DrBot.Runbooks.Outbox;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    // The newest undelivered post or update of each card, so an update enqueued behind it replaces
    // its payload instead of queueing another delivery: a burst of updates of one card becomes one
    // delivery on a rate-limited platform. Loaded with the queues; changed only after a commit. Guarded by the store lock.
    private Dictionary<OutboxCard, long>? _pendingCards;

    private Dictionary<OutboxCard, long> PendingCards => _pendingCards ??= LoadPendingCards();

    private Dictionary<OutboxCard, long> LoadPendingCards()
    {
        var cards = new Dictionary<OutboxCard, long>();
        foreach (var sequence in PendingOutboxByChannel.Values.SelectMany(queue => queue))
        {
            if (Outbox.FindById(sequence) is { } document && OutboxCard.Of(ReadOutbox(document)) is { } card)
            {
                cards[card] = Math.Max(sequence, cards.GetValueOrDefault(card));
            }
        }
        return cards;
    }

    /// <summary>
    /// Inside the caller's transaction: an update whose card already has a queued delivery that no
    /// dispatcher has claimed takes that delivery's place (its payload replaces the queued one, keeping
    /// the queued operation and position); anything else is inserted. <paramref name="staged"/> holds
    /// this transaction's own cards, so two updates of one card in one commit also coalesce.
    /// </summary>
    private EnqueuedOutbox EnqueueInTransaction(OutboxMessage message, Dictionary<OutboxCard, long> staged)
    {
        var card = OutboxCard.Of(message);
        if (message.Operation == OutboxOperation.Update && card is { } key
            && (staged.TryGetValue(key, out var queued) || PendingCards.TryGetValue(key, out queued))
            && !_outboxLeases.ContainsKey(queued)
            && Outbox.FindById(queued) is { } document && !document["delivered"].AsBoolean)
        {
            document[PayloadField] = message.Payload;
            Outbox.Update(document);
            return new EnqueuedOutbox(message.Channel, queued, IsNew: false);
        }
        var sequence = InsertOutbox(message);
        if (card is { } newCard)
        {
            staged[newCard] = sequence;
        }
        return new EnqueuedOutbox(message.Channel, sequence, IsNew: true);
    }

    /// <summary>After the commit: new messages join their channel's queue and every staged card points at its newest delivery.</summary>
    private void AfterOutboxCommit(IEnumerable<EnqueuedOutbox> enqueued, Dictionary<OutboxCard, long> staged)
    {
        foreach (var message in enqueued.Where(m => m.IsNew))
        {
            PendingOutbox(message.Channel).Add(message.Sequence);
        }
        foreach (var (card, sequence) in staged)
        {
            PendingCards[card] = sequence;
        }
    }

    private void ForgetPendingCard(OutboxMessage delivered)
    {
        if (OutboxCard.Of(delivered) is { } card && PendingCards.TryGetValue(card, out var sequence) && sequence == delivered.Sequence)
        {
            PendingCards.Remove(card);
        }
    }

    private readonly record struct EnqueuedOutbox(string Channel, long Sequence, bool IsNew);
}
