using DrBot.Runbooks.Audit;

namespace DrBot.Runbooks.Tests.Audit;

public sealed class AuditChainTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static List<AuditEntry> Chain(int count)
    {
        var entries = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
        {
            entries.Add(AuditChain.Seal(new AuditDraft(Start.AddSeconds(i), $"actor-{i}", "action", $"R-{i}", $"detail {i}"), entries.LastOrDefault()));
        }
        return entries;
    }

    [Fact]
    public void An_untouched_chain_verifies_and_an_empty_one_too()
    {
        Assert.True(AuditChain.Verify(Chain(5)).Valid);
        Assert.True(AuditChain.Verify([]).Valid);
    }

    [Fact]
    public void The_hash_changes_with_every_field_and_does_not_depend_on_the_time_zone_of_the_same_instant()
    {
        var baseline = AuditChain.ComputeHash(1, Start, "bob", "approve", "R-1", "ok", AuditChain.GenesisHash);

        Assert.Equal(64, baseline.Length);
        Assert.NotEqual(baseline, AuditChain.ComputeHash(2, Start, "bob", "approve", "R-1", "ok", AuditChain.GenesisHash));
        Assert.NotEqual(baseline, AuditChain.ComputeHash(1, Start.AddTicks(1), "bob", "approve", "R-1", "ok", AuditChain.GenesisHash));
        Assert.NotEqual(baseline, AuditChain.ComputeHash(1, Start, "bob", "approve", "R-1", "ok!", AuditChain.GenesisHash));
        // Moving text between fields must not give the same hash.
        Assert.NotEqual(baseline, AuditChain.ComputeHash(1, Start, "bob", "approveR-1", "", "ok", AuditChain.GenesisHash));
        Assert.Equal(baseline, AuditChain.ComputeHash(1, Start.ToOffset(TimeSpan.FromHours(2)), "bob", "approve", "R-1", "ok", AuditChain.GenesisHash));
    }

    [Fact]
    public void An_edited_entry_is_found_by_its_sequence()
    {
        var entries = Chain(5);
        entries[2] = entries[2] with { Detail = "approved by someone else" };

        var result = AuditChain.Verify(entries);

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBadSequence);
        Assert.Contains("altered", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edited_entry_whose_hash_was_recomputed_breaks_the_link_of_the_next_one()
    {
        var entries = Chain(5);
        var forged = entries[2] with { Actor = "mallory" };
        entries[2] = forged with { Hash = AuditChain.ComputeHash(forged) };

        var result = AuditChain.Verify(entries);

        Assert.False(result.Valid);
        Assert.Equal(4, result.FirstBadSequence);
    }

    [Fact]
    public void A_removed_entry_is_found()
    {
        var entries = Chain(5);
        entries.RemoveAt(1);

        var result = AuditChain.Verify(entries);

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBadSequence);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_swapped_entries_are_found()
    {
        var entries = Chain(5);
        (entries[1], entries[2]) = (entries[2], entries[1]);

        var result = AuditChain.Verify(entries);

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public void Swapping_the_contents_of_two_entries_but_keeping_their_numbers_is_found()
    {
        var entries = Chain(4);
        var (a, b) = (entries[1], entries[2]);
        entries[1] = b with { Sequence = a.Sequence, PreviousHash = a.PreviousHash };
        entries[2] = a with { Sequence = b.Sequence, PreviousHash = b.PreviousHash };

        var result = AuditChain.Verify(entries);

        Assert.False(result.Valid);
        Assert.Equal(2, result.FirstBadSequence);
    }
}
