using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>Queued updates of one card collapse into its newest queued delivery (issue 16, item 4).</summary>
public abstract partial class StoreContractTests
{
    private static OutboxMessage Card(OutboxOperation operation, string postKey, string text, string conversation = "C-incident", string? user = null) =>
        new(0, "slack", conversation, operation, postKey, "{\"text\":\"" + text + "\"}", Start, TargetUser: user);

    [Fact]
    public async Task Updates_of_a_card_whose_post_is_still_queued_become_one_post_with_the_newest_payload()
    {
        var post = await Store.EnqueueAsync(Card(OutboxOperation.Post, "run:R-1", "v1"), Ct);
        for (var version = 2; version <= 50; version++)
        {
            Assert.Equal(post, await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", $"v{version}"), Ct));
        }

        var queued = Assert.Single(await Store.ListOutboxAsync(undeliveredOnly: true, Ct));
        Assert.Equal(OutboxOperation.Post, queued.Operation);
        Assert.Equal("{\"text\":\"v50\"}", queued.Payload);
        var claimed = Assert.Single(await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct));
        Assert.Equal("{\"text\":\"v50\"}", claimed.Payload);
    }

    [Fact]
    public async Task An_update_never_changes_a_delivery_being_sent_and_later_updates_collapse_behind_it()
    {
        var post = await Store.EnqueueAsync(Card(OutboxOperation.Post, "run:R-1", "v1"), Ct);
        var sending = Assert.Single(await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct));

        var update = await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", "v2"), Ct);
        Assert.NotEqual(post, update);
        Assert.Equal(update, await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", "v3"), Ct));
        await Store.CompleteDeliveryAsync(sending, Start.AddSeconds(1), null, Ct);

        var delivered = (await Store.ListOutboxAsync(undeliveredOnly: false, Ct)).Single(m => m.Sequence == post);
        Assert.Equal("{\"text\":\"v1\"}", delivered.Payload);
        var next = Assert.Single(await Store.ClaimDueOutboxAsync(Start.AddSeconds(2), "bot-a", Lease, Ct));
        Assert.Equal((update, OutboxOperation.Update, "{\"text\":\"v3\"}"), (next.Sequence, next.Operation, next.Payload));
    }

    [Fact]
    public async Task A_delivery_set_to_retry_takes_the_newest_update_and_keeps_its_place_in_the_channel()
    {
        var first = await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", "v1"), Ct);
        var other = await Store.EnqueueAsync(Card(OutboxOperation.Post, "incident:I-1", "opened"), Ct);
        await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct);
        await Store.MarkRetryAsync(first, Start.AddSeconds(5), "429 Too Many Requests", Ct);

        Assert.Equal(first, await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", "v2"), Ct));

        var retried = Assert.Single(await Store.ClaimDueOutboxAsync(Start.AddSeconds(5), "bot-a", Lease, Ct));
        Assert.Equal((first, "{\"text\":\"v2\"}", 1), (retried.Sequence, retried.Payload, retried.Attempts));
        Assert.Equal([first, other], (await Store.ListOutboxAsync(undeliveredOnly: true, Ct)).Select(m => m.Sequence));
    }

    [Fact]
    public async Task Posts_private_messages_and_other_conversations_are_never_merged()
    {
        await Store.EnqueueAsync(Card(OutboxOperation.Post, "status:I-1", "first"), Ct);
        await Store.EnqueueAsync(Card(OutboxOperation.Post, "status:I-1", "second"), Ct);
        await Store.EnqueueAsync(Card(OutboxOperation.PostPrivate, "run:R-1", "only you", user: "U1"), Ct);
        await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", "v2", user: "U1"), Ct);
        await Store.EnqueueAsync(Card(OutboxOperation.Update, "run:R-1", "elsewhere", conversation: "C-other"), Ct);

        Assert.Equal(5, await Store.CountUndeliveredAsync(Ct));
    }

    [Fact]
    public async Task Two_updates_of_one_card_in_one_commit_are_one_delivery()
    {
        await Store.EnqueueAsync(Card(OutboxOperation.Post, "alerts:g1", "v1"), Ct);
        await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct);

        Assert.True(await Store.TryCommitAsync(new StoreCommit([], [],
            [Card(OutboxOperation.Update, "alerts:g1", "v2"), Card(OutboxOperation.Update, "alerts:g2", "w1"), Card(OutboxOperation.Update, "alerts:g1", "v3")]), Start, Ct));

        var queued = await Store.ListOutboxAsync(undeliveredOnly: true, Ct);
        Assert.Equal(["{\"text\":\"v1\"}", "{\"text\":\"v3\"}", "{\"text\":\"w1\"}"], queued.Select(m => m.Payload));
    }
}
