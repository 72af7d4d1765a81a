using DrBot.Runbooks.Outbox;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    private static OutboxMessage Message(string channel, string postKey) =>
        new(0, channel, "C-incident", OutboxOperation.Post, postKey, "{\"text\":\"" + postKey + "\"}", Start);

    [Fact]
    public async Task Enqueued_messages_get_increasing_sequences_and_are_listed_undelivered()
    {
        var first = await Store.EnqueueAsync(Message("slack", "run:R-1"), Ct);
        var second = await Store.EnqueueAsync(Message("teams", "run:R-1"), Ct);

        Assert.True(second > first);
        Assert.Equal(2, await Store.CountUndeliveredAsync(Ct));
        var listed = await Store.ListOutboxAsync(undeliveredOnly: true, Ct);
        Assert.Equal([first, second], listed.Select(m => m.Sequence));
        Assert.Equal("{\"text\":\"run:R-1\"}", listed[0].Payload);
    }

    [Fact]
    public async Task Only_the_oldest_undelivered_message_of_each_channel_is_claimed()
    {
        var slack1 = await Store.EnqueueAsync(Message("slack", "a"), Ct);
        var slack2 = await Store.EnqueueAsync(Message("slack", "b"), Ct);
        var teams1 = await Store.EnqueueAsync(Message("teams", "c"), Ct);

        var claimed = await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct);
        Assert.Equal([slack1, teams1], claimed.Select(m => m.Sequence).Order());

        await Store.MarkDeliveredAsync(slack1, Start.AddSeconds(1), Ct);
        var next = await Store.ClaimDueOutboxAsync(Start.AddSeconds(2), "bot-b", Lease, Ct);

        Assert.Equal([slack2], next.Select(m => m.Sequence));
        Assert.Equal(2, await Store.CountUndeliveredAsync(Ct));
        var delivered = (await Store.ListOutboxAsync(undeliveredOnly: false, Ct)).Single(m => m.Sequence == slack1);
        Assert.Equal(Start.AddSeconds(1), delivered.DeliveredAt);
    }

    [Fact]
    public async Task A_message_set_to_retry_later_holds_back_its_channel_until_then()
    {
        var first = await Store.EnqueueAsync(Message("slack", "a"), Ct);
        await Store.EnqueueAsync(Message("slack", "b"), Ct);
        await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct);

        await Store.MarkRetryAsync(first, Start.AddSeconds(30), "429 Too Many Requests", Ct);

        Assert.Empty(await Store.ClaimDueOutboxAsync(Start.AddSeconds(10), "bot-a", Lease, Ct));
        var retried = Assert.Single(await Store.ClaimDueOutboxAsync(Start.AddSeconds(30), "bot-a", Lease, Ct));
        Assert.Equal(first, retried.Sequence);
        Assert.Equal(1, retried.Attempts);
        Assert.Equal("429 Too Many Requests", retried.LastError);
    }

    [Fact]
    public async Task A_leased_message_is_not_claimed_by_another_owner_until_the_lease_expires()
    {
        var first = await Store.EnqueueAsync(Message("teams", "a"), Ct);
        await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct);

        Assert.Empty(await Store.ClaimDueOutboxAsync(Start.AddSeconds(30), "bot-b", Lease, Ct));
        var taken = Assert.Single(await Store.ClaimDueOutboxAsync(Start.AddMinutes(2), "bot-b", Lease, Ct));
        Assert.Equal(first, taken.Sequence);
        Assert.Equal("bot-b", taken.LeaseOwner);
    }

    [Fact]
    public async Task A_completed_delivery_saves_the_reference_marks_the_message_delivered_and_frees_the_channel()
    {
        var first = await Store.EnqueueAsync(Message("slack", "run:R-1"), Ct);
        var second = await Store.EnqueueAsync(Message("slack", "run:R-2"), Ct);
        var claimed = Assert.Single(await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct));

        await Store.CompleteDeliveryAsync(claimed, Start.AddSeconds(1), new PostReference("slack", "run:R-1", "C1", "1712.0001", "1712.0001"), Ct);

        Assert.Equal(new PostReference("slack", "run:R-1", "C1", "1712.0001", "1712.0001"), await Store.GetPostReferenceAsync("slack", "run:R-1", Ct));
        var delivered = (await Store.ListOutboxAsync(undeliveredOnly: false, Ct)).Single(m => m.Sequence == first);
        Assert.Equal(Start.AddSeconds(1), delivered.DeliveredAt);
        Assert.Equal(1, delivered.Attempts);
        Assert.Equal([second], (await Store.ClaimDueOutboxAsync(Start.AddSeconds(2), "bot-b", Lease, Ct)).Select(m => m.Sequence));

        // Without a reference (an update that left it as it was) only the delivered mark is written.
        await Store.CompleteDeliveryAsync((await Store.ListOutboxAsync(undeliveredOnly: true, Ct)).Single(), Start.AddSeconds(3), null, Ct);
        Assert.Equal(0, await Store.CountUndeliveredAsync(Ct));
        Assert.Null(await Store.GetPostReferenceAsync("slack", "run:R-2", Ct));
    }

    [Fact]
    public async Task A_post_reference_is_saved_and_found_by_channel_and_post_key()
    {
        await Store.SavePostReferenceAsync(new PostReference("slack", "run:R-1", "C1", "1712.0001", null), Ct);
        await Store.SavePostReferenceAsync(new PostReference("slack", "run:R-1", "C1", "1712.0002", "1712.0000"), Ct);

        var reference = await Store.GetPostReferenceAsync("slack", "run:R-1", Ct);

        Assert.Equal(new PostReference("slack", "run:R-1", "C1", "1712.0002", "1712.0000"), reference);
        Assert.Null(await Store.GetPostReferenceAsync("teams", "run:R-1", Ct));
    }

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_outbox_message()
    {
        foreach (var channel in new[] { "slack", "teams", "local" })
        {
            await Store.EnqueueAsync(Message(channel, "a"), Ct);
            await Store.EnqueueAsync(Message(channel, "b"), Ct);
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => Store.ClaimDueOutboxAsync(Start, $"bot-{i}", Lease, Ct))));

        var claimed = batches.SelectMany(b => b).ToList();
        Assert.Equal(3, claimed.Count);
        Assert.Equal(["local", "slack", "teams"], claimed.Select(m => m.Channel).Order());
        Assert.All(claimed, m => Assert.Equal("a", m.PostKey));
    }
}
