using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_commit_claims_its_keys_sets_its_values_and_enqueues_its_messages_in_order()
    {
        var before = await Store.EnqueueAsync(Message("slack", "earlier"), Ct);

        Assert.True(await Store.TryCommitAsync(new StoreCommit(
            ["alertgroup:g1:v1", "alertgroup:g2:v1"],
            [new("alertgroup:g1", "one"), new("alertgroup:g2", "two"), new("alertgroup:g1", "one, newer")],
            [Message("slack", "card:g1"), Message("teams", "card:g1"), Message("slack", "card:g2")]), Start, Ct));

        Assert.Equal("one, newer", await Store.GetValueAsync("alertgroup:g1", Ct));
        Assert.Equal("two", await Store.GetValueAsync("alertgroup:g2", Ct));
        Assert.False(await Store.TryClaimIdempotencyKeyAsync("alertgroup:g2:v1", Start, Ct));
        var queued = await Store.ListOutboxAsync(undeliveredOnly: true, Ct);
        Assert.Equal(["earlier", "card:g1", "card:g1", "card:g2"], queued.Select(m => m.PostKey));
        Assert.Equal(queued.Select(m => m.Sequence).Order(), queued.Select(m => m.Sequence));
        Assert.True(queued[1].Sequence > before);
        // The committed messages are in their channels' queues behind what was there before.
        var heads = await Store.ClaimDueOutboxAsync(Start, "bot-a", Lease, Ct);
        Assert.Equal([before, queued[2].Sequence], heads.Select(m => m.Sequence).Order());
    }

    [Fact]
    public async Task A_commit_with_a_claim_already_taken_writes_nothing()
    {
        await Store.SetValueAsync("alertgroup:g1", "as it was", Ct);
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("alertgroup:g1:v2", Start, Ct));

        Assert.False(await Store.TryCommitAsync(new StoreCommit(
            ["alertgroup:g9:v1", "alertgroup:g1:v2"],
            [new("alertgroup:g1", "lost update"), new("alertgroup:g9", "new")],
            [Message("slack", "card:g1")]), Start, Ct));

        Assert.Equal("as it was", await Store.GetValueAsync("alertgroup:g1", Ct));
        Assert.Null(await Store.GetValueAsync("alertgroup:g9", Ct));
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("alertgroup:g9:v1", Start, Ct));
        Assert.Equal(0, await Store.CountUndeliveredAsync(Ct));
    }

    [Fact]
    public async Task A_commit_that_repeats_a_claim_writes_nothing()
    {
        Assert.False(await Store.TryCommitAsync(new StoreCommit(
            ["alertgroup:g1:v1", "alertgroup:g1:v1"], [new("alertgroup:g1", "x")], []), Start, Ct));

        Assert.Null(await Store.GetValueAsync("alertgroup:g1", Ct));
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("alertgroup:g1:v1", Start, Ct));
    }

    [Fact]
    public async Task Concurrent_commits_of_the_same_version_claim_have_exactly_one_winner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.TryCommitAsync(
            new StoreCommit(["alertgroup:g1:v1"], [new("alertgroup:g1", $"writer {i}")], [Message("slack", $"card:{i}")]), Start, Ct))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i]);
        Assert.Equal($"writer {winner}", await Store.GetValueAsync("alertgroup:g1", Ct));
        Assert.Equal([$"card:{winner}"], (await Store.ListOutboxAsync(undeliveredOnly: false, Ct)).Select(m => m.PostKey));
    }

    [Fact]
    public async Task Values_are_read_several_at_once_and_missing_keys_are_left_out()
    {
        await Store.SetValueAsync("alertgroup:a", "A", Ct);
        await Store.SetValueAsync("alertgroup:b", "B", Ct);

        var values = await Store.GetValuesAsync(["alertgroup:a", "alertgroup:missing", "alertgroup:b"], Ct);

        Assert.Equal(new Dictionary<string, string> { ["alertgroup:a"] = "A", ["alertgroup:b"] = "B" }, values);
        Assert.Empty(await Store.GetValuesAsync([], Ct));
    }
}
