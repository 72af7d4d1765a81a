using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>What retention may delete, and what it must keep (issue 16, item 6).</summary>
public abstract partial class StoreContractTests
{
    private static PruneRequest PruneBefore(DateTimeOffset cutoff, params string[] prefixes) =>
        new(cutoff, [.. prefixes.Select(p => new KeyPrefixCutoff(p, cutoff))], cutoff);

    [Fact]
    public async Task Delivered_messages_go_after_their_age_and_undelivered_ones_never_do()
    {
        var old = await Store.EnqueueAsync(Message("slack", "a"), Ct);
        var recent = await Store.EnqueueAsync(Message("slack", "b"), Ct);
        var waiting = await Store.EnqueueAsync(Message("slack", "c"), Ct);
        await Store.MarkDeliveredAsync(old, Start.AddDays(1), Ct);
        await Store.MarkDeliveredAsync(recent, Start.AddDays(8), Ct);

        var counts = await Store.PruneAsync(PruneBefore(Start.AddDays(7)), Ct);

        Assert.Equal(1, counts.OutboxMessages);
        Assert.Equal([recent, waiting], (await Store.ListOutboxAsync(undeliveredOnly: false, Ct)).Select(m => m.Sequence));
        var next = Assert.Single(await Store.ClaimDueOutboxAsync(Start.AddDays(9), "bot-a", Lease, Ct));
        Assert.Equal(waiting, next.Sequence);
    }

    [Fact]
    public async Task Only_keys_of_the_listed_kinds_claimed_before_their_cutoff_go_and_can_then_be_claimed_again()
    {
        await Store.TryClaimIdempotencyKeyAsync("slack-inbound:old", Start, Ct);
        await Store.TryClaimIdempotencyKeyAsync("slack-inbound:new", Start.AddDays(8), Ct);
        await Store.TryClaimIdempotencyKeyAsync("run-claim:west-us", Start, Ct);

        var counts = await Store.PruneAsync(PruneBefore(Start.AddDays(7), "slack-inbound:"), Ct);

        Assert.Equal(1, counts.IdempotencyKeys);
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("slack-inbound:old", Start.AddDays(9), Ct));
        Assert.False(await Store.TryClaimIdempotencyKeyAsync("slack-inbound:new", Start.AddDays(9), Ct));
        Assert.False(await Store.TryClaimIdempotencyKeyAsync("run-claim:west-us", Start.AddDays(9), Ct));
    }

    [Fact]
    public async Task A_value_goes_once_its_expiry_passes_and_setting_it_again_without_one_keeps_it()
    {
        Assert.True(await Store.TryCommitAsync(new StoreCommit([],
            [KeyValuePair.Create("alertgroup:resolved", "r"), KeyValuePair.Create("alertgroup:refired", "x"), KeyValuePair.Create("alertgroup:firing", "f")], [])
        {
            ValueExpiries = new Dictionary<string, DateTimeOffset> { ["alertgroup:resolved"] = Start.AddDays(7), ["alertgroup:refired"] = Start.AddDays(7) },
        }, Start, Ct));
        Assert.True(await Store.TryCommitAsync(new StoreCommit([], [KeyValuePair.Create("alertgroup:refired", "firing again")], []), Start.AddDays(1), Ct));

        Assert.Equal(0, (await Store.PruneAsync(PruneBefore(Start.AddDays(6)), Ct)).Values);
        var counts = await Store.PruneAsync(PruneBefore(Start.AddDays(7)), Ct);

        Assert.Equal(1, counts.Values);
        Assert.Null(await Store.GetValueAsync("alertgroup:resolved", Ct));
        Assert.Equal("firing again", await Store.GetValueAsync("alertgroup:refired", Ct));
        Assert.Equal("f", await Store.GetValueAsync("alertgroup:firing", Ct));
    }

    [Fact]
    public async Task Pruning_deletes_at_most_the_row_limit_of_each_kind_per_call()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.MarkDeliveredAsync(await Store.EnqueueAsync(Message("slack", $"m{i}"), Ct), Start, Ct);
        }

        var first = await Store.PruneAsync(PruneBefore(Start.AddDays(1)) with { MaxRows = 3 }, Ct);
        var second = await Store.PruneAsync(PruneBefore(Start.AddDays(1)) with { MaxRows = 3 }, Ct);

        Assert.Equal((3, true), (first.OutboxMessages, first.MayHaveMore(3)));
        Assert.Equal((2, false), (second.OutboxMessages, second.MayHaveMore(3)));
        Assert.Empty(await Store.ListOutboxAsync(undeliveredOnly: false, Ct));
    }
}
