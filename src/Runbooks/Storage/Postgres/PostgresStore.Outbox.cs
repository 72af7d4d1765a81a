using DrBot.Runbooks.Outbox;
using Npgsql;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string OutboxColumns = "seq, json, lease_owner, lease_until";

    public Task<long> EnqueueAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        Run("enqueue outbox message", async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var sequence = await InsertOutboxAsync(connection, message, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return sequence;
        }, cancellationToken);

    /// <summary>
    /// Inside the caller's transaction. An update whose card has a queued delivery that no dispatcher
    /// holds replaces that delivery's payload (keeping its operation and place in the queue): a burst
    /// of updates of one card is one delivery. Otherwise a new row: the identity column is the
    /// sequence, so insert, learn it and write it into the JSON; the transaction keeps any claim from
    /// seeing the row before its JSON is complete.
    /// </summary>
    private static async Task<long> InsertOutboxAsync(NpgsqlConnection connection, OutboxMessage message, CancellationToken cancellationToken)
    {
        var card = OutboxCard.Of(message)?.StoreKey;
        if (message.Operation == OutboxOperation.Update && card is not null
            && await CoalesceIntoQueuedAsync(connection, card, message.Payload, cancellationToken) is { } queued)
        {
            return queued;
        }
        var stored = message with { Sequence = 0, DeliveredAt = null, LeaseOwner = null, LeaseUntil = null };
        var rows = await Query(connection, cancellationToken, r => r.GetInt64(0), """
            INSERT INTO drbot_outbox (channel, delivered, next_attempt_at, card_key, json) VALUES ($1, false, $2, $3, $4) RETURNING seq
            """, message.Channel, message.NextAttemptAt is { } next ? Ticks(next) : null, card, "{}");
        var sequence = rows[0];
        await Execute(connection, cancellationToken, "UPDATE drbot_outbox SET json = $2 WHERE seq = $1",
            sequence, StoreJson.Write(stored with { Sequence = sequence }));
        return sequence;
    }

    /// <summary>
    /// The card's newest queued row, if no dispatcher has claimed it (a claimed row's lease owner is
    /// set until it is delivered or set to retry): its payload becomes <paramref name="payload"/>.
    /// The row lock orders this against a concurrent claim, and the lease condition is checked again
    /// on the locked row, so a payload never lands in a delivery already being sent.
    /// </summary>
    private static async Task<long?> CoalesceIntoQueuedAsync(NpgsqlConnection connection, string card, string payload, CancellationToken cancellationToken)
    {
        var queued = await Query(connection, cancellationToken, ReadOutbox, $"""
            SELECT {OutboxColumns} FROM drbot_outbox
            WHERE seq = (SELECT max(seq) FROM drbot_outbox WHERE card_key = $1 AND NOT delivered)
              AND NOT delivered AND lease_owner IS NULL
            FOR UPDATE
            """, card);
        if (queued.Count == 0)
        {
            return null;
        }
        var message = queued[0];
        await Execute(connection, cancellationToken, "UPDATE drbot_outbox SET json = $2 WHERE seq = $1",
            message.Sequence, StoreJson.Write(message with { Payload = payload, LeaseOwner = null, LeaseUntil = null }));
        return message.Sequence;
    }

    /// <summary>
    /// The head (oldest undelivered message) of each channel, when due and free, is locked with
    /// <c>SKIP LOCKED</c> and leased: per-channel order holds and two replicas never send the same message.
    /// </summary>
    public Task<IReadOnlyList<OutboxMessage>> ClaimDueOutboxAsync(DateTimeOffset now, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<OutboxMessage>>("claim outbox", async connection =>
        {
            var claimed = await Query(connection, cancellationToken, ReadOutbox, $"""
                UPDATE drbot_outbox SET lease_owner = $2, lease_until = $3
                WHERE seq IN (
                    SELECT o.seq FROM drbot_outbox o
                    WHERE o.seq IN (SELECT min(h.seq) FROM drbot_outbox h WHERE NOT h.delivered GROUP BY h.channel)
                      AND NOT o.delivered
                      AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= $1)
                      AND (o.lease_until IS NULL OR o.lease_until <= $1 OR o.lease_owner = $2)
                    FOR UPDATE SKIP LOCKED)
                RETURNING {OutboxColumns}
                """, Ticks(now), owner, Ticks(now + lease));
            return claimed.OrderBy(m => m.Sequence).ToList();
        }, cancellationToken);

    public Task MarkDeliveredAsync(long sequence, DateTimeOffset at, CancellationToken cancellationToken) =>
        ChangeOutbox("mark outbox delivered", sequence, m => m with { DeliveredAt = at, Attempts = m.Attempts + 1 }, cancellationToken);

    public Task MarkRetryAsync(long sequence, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken) =>
        ChangeOutbox("mark outbox retry", sequence, m => m with { Attempts = m.Attempts + 1, NextAttemptAt = nextAttemptAt, LastError = error }, cancellationToken);

    public Task<int> CountUndeliveredAsync(CancellationToken cancellationToken) =>
        Run("count outbox", async connection => (int)(await Query(connection, cancellationToken, r => r.GetInt64(0),
            "SELECT count(*) FROM drbot_outbox WHERE NOT delivered"))[0], cancellationToken);

    public Task<IReadOnlyList<OutboxMessage>> ListOutboxAsync(bool undeliveredOnly, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<OutboxMessage>>("list outbox", async connection => await Query(connection, cancellationToken, ReadOutbox,
            $"SELECT {OutboxColumns} FROM drbot_outbox WHERE NOT delivered OR NOT $1 ORDER BY seq", undeliveredOnly), cancellationToken);

    public Task SavePostReferenceAsync(PostReference reference, CancellationToken cancellationToken) =>
        Run("save post reference", connection => UpsertPostReference(connection, reference, cancellationToken), cancellationToken);

    /// <summary>The reference and the delivered mark in one transaction.</summary>
    public Task CompleteDeliveryAsync(OutboxMessage message, DateTimeOffset at, PostReference? reference, CancellationToken cancellationToken) =>
        ChangeOutbox("complete outbox delivery", message.Sequence, m => m with { DeliveredAt = at, Attempts = m.Attempts + 1 }, cancellationToken,
            reference is null ? null : connection => UpsertPostReference(connection, reference, cancellationToken));

    private static Task<int> UpsertPostReference(NpgsqlConnection connection, PostReference reference, CancellationToken cancellationToken) =>
        Execute(connection, cancellationToken, """
            INSERT INTO drbot_post_references (channel, post_key, json) VALUES ($1, $2, $3)
            ON CONFLICT (channel, post_key) DO UPDATE SET json = EXCLUDED.json
            """, reference.Channel, reference.PostKey, StoreJson.Write(reference));

    public Task<PostReference?> GetPostReferenceAsync(string channel, string postKey, CancellationToken cancellationToken) =>
        Run("read post reference", async connection =>
        {
            var json = await QueryJson(connection, cancellationToken, "SELECT json FROM drbot_post_references WHERE channel = $1 AND post_key = $2", channel, postKey);
            return json is null ? null : StoreJson.Read<PostReference>(json);
        }, cancellationToken);

    /// <summary>Reads the message under a row lock, changes it and clears its lease, in one transaction (with <paramref name="alsoWrite"/>, if given).</summary>
    private Task ChangeOutbox(string operation, long sequence, Func<OutboxMessage, OutboxMessage> change, CancellationToken cancellationToken,
        Func<NpgsqlConnection, Task<int>>? alsoWrite = null) =>
        Run(operation, async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (alsoWrite is not null)
            {
                await alsoWrite(connection);
            }
            var current = (await Query(connection, cancellationToken, ReadOutbox,
                $"SELECT {OutboxColumns} FROM drbot_outbox WHERE seq = $1 FOR UPDATE", sequence)).FirstOrDefault()
                ?? throw new InvalidOperationException($"Outbox message {sequence} does not exist.");
            var changed = change(current) with { LeaseOwner = null, LeaseUntil = null };
            await Execute(connection, cancellationToken, """
                UPDATE drbot_outbox SET delivered = $2, next_attempt_at = $3, lease_owner = NULL, lease_until = NULL, json = $4, delivered_at = $5 WHERE seq = $1
                """, sequence, changed.DeliveredAt is not null, changed.NextAttemptAt is { } next ? Ticks(next) : null, StoreJson.Write(changed),
                changed.DeliveredAt is { } deliveredAt ? Ticks(deliveredAt) : null);
            await transaction.CommitAsync(cancellationToken);
        }, cancellationToken);

    private static OutboxMessage ReadOutbox(NpgsqlDataReader reader) =>
        StoreJson.Read<OutboxMessage>(reader.GetString(1)) with
        {
            Sequence = reader.GetInt64(0),
            LeaseOwner = NullableString(reader, 2),
            LeaseUntil = FromTicks(reader, 3),
        };
}
