namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task A_batch_claim_answers_per_key_in_order_and_claims_a_key_repeated_in_the_batch_once()
    {
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("alert:am:a@1:firing", Start, Ct));

        var claimed = await Store.TryClaimIdempotencyKeysAsync(
            ["alert:am:b@1:firing", "alert:am:a@1:firing", "alert:am:c@1:firing", "alert:am:b@1:firing"], Start, Ct);

        Assert.Equal([true, false, true, false], claimed);
    }

    [Fact]
    public async Task Keys_claimed_by_a_batch_are_refused_afterwards_one_by_one_and_in_batches()
    {
        await Store.TryClaimIdempotencyKeysAsync(["slack:evt-1", "slack:evt-2"], Start, Ct);

        Assert.False(await Store.TryClaimIdempotencyKeyAsync("slack:evt-2", Start.AddSeconds(1), Ct));
        Assert.Equal([false, false, true], await Store.TryClaimIdempotencyKeysAsync(["slack:evt-1", "slack:evt-2", "slack:evt-3"], Start.AddSeconds(2), Ct));
    }

    [Fact]
    public async Task An_empty_batch_claims_nothing()
    {
        Assert.Empty(await Store.TryClaimIdempotencyKeysAsync([], Start, Ct));
    }

    [Fact]
    public async Task Concurrent_batches_over_the_same_keys_never_both_win_a_key()
    {
        var keys = Enumerable.Range(0, 40).Select(i => $"alert:am:fp{i}@1:firing").ToArray();
        // Twenty deliveries of overlapping slices in different orders, racing each other.
        var batches = Enumerable.Range(0, 20)
            .Select(b => keys.Skip(b % 4 * 5).Take(25).OrderBy(k => (k.GetHashCode(StringComparison.Ordinal) ^ b) & 0xff).ToArray())
            .ToArray();

        var results = await Task.WhenAll(batches.Select(batch => Task.Run(() => Store.TryClaimIdempotencyKeysAsync(batch, Start, Ct))));

        var wins = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var b = 0; b < batches.Length; b++)
        {
            for (var i = 0; i < batches[b].Length; i++)
            {
                if (results[b][i])
                {
                    wins[batches[b][i]] = wins.GetValueOrDefault(batches[b][i]) + 1;
                }
            }
        }
        var offered = batches.SelectMany(b => b).Distinct(StringComparer.Ordinal).ToList();
        Assert.All(offered, key => Assert.Equal(1, wins.GetValueOrDefault(key)));
        Assert.Equal(offered.Count, wins.Count);
    }
}
