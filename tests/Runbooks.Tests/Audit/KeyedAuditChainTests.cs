using System.Text;
using DrBot.Runbooks.Audit;

namespace DrBot.Runbooks.Tests.Audit;

/// <summary>
/// The keyed chain (HMAC with DrBot:Audit:Key) and its signed checkpoints: edit, delete, swap and
/// cut-tail are each detected, including by someone who recomputes plain hashes without the key.
/// </summary>
public sealed class KeyedAuditChainTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a-test-audit-key-of-at-least-32-chars!");
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private static List<AuditEntry> Chain(int count, byte[]? key = null)
    {
        var entries = new List<AuditEntry>();
        for (var i = 0; i < count; i++)
            entries.Add(AuditChain.Seal(new AuditDraft(Start.AddMinutes(i), "bob", "approve", $"run-{i}", $"detail {i}"), entries.LastOrDefault(), key ?? Key));
        return entries;
    }

    [Fact]
    public void An_untouched_keyed_chain_verifies_with_its_key_and_not_without_it()
    {
        var entries = Chain(5);
        Assert.True(AuditChain.Verify(entries, Key).Valid);
        Assert.False(AuditChain.Verify(entries).Valid);
        Assert.False(AuditChain.Verify(entries, Encoding.UTF8.GetBytes("another-key-another-key-another-key!!")).Valid);
    }

    [Fact]
    public void An_edit_is_detected_even_when_the_editor_rehashes_without_the_key()
    {
        var entries = Chain(5);
        var edited = entries[2] with { Detail = "approved by someone else" };
        var rehashed = edited with { Hash = AuditChain.ComputeHash(edited) };
        entries[2] = rehashed;
        // The editor also relinks everything after it, as one could with an unkeyed chain.
        for (var i = 3; i < entries.Count; i++)
        {
            var relinked = entries[i] with { PreviousHash = entries[i - 1].Hash };
            entries[i] = relinked with { Hash = AuditChain.ComputeHash(relinked) };
        }

        var result = AuditChain.Verify(entries, Key);

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public void A_deleted_entry_is_detected()
    {
        var entries = Chain(5);
        entries.RemoveAt(2);
        var result = AuditChain.Verify(entries, Key);
        Assert.False(result.Valid);
        Assert.Contains("missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Swapped_entries_are_detected()
    {
        var entries = Chain(5);
        (entries[1], entries[2]) = (entries[2], entries[1]);
        Assert.False(AuditChain.Verify(entries, Key).Valid);
    }

    [Fact]
    public void A_cut_tail_is_detected_by_the_checkpoint()
    {
        var entries = Chain(6);
        var checkpoint = AuditCheckpoints.Create(entries, Start.AddHours(1), Key);
        var cut = entries.Take(4).ToList();

        Assert.True(AuditChain.Verify(cut, Key).Valid); // the chain alone cannot see it
        var result = AuditChain.Verify(cut, Key, checkpoint);

        Assert.False(result.Valid);
        Assert.Contains("tail was cut", result.Problem, StringComparison.Ordinal);
        Assert.True(AuditChain.Verify(entries, Key, checkpoint).Valid);
    }

    [Fact]
    public void A_rewritten_chain_or_a_forged_checkpoint_disagrees_with_the_checkpoint()
    {
        var entries = Chain(4);
        var checkpoint = AuditCheckpoints.Create(entries, Start.AddHours(1), Key);
        var other = Chain(4, Encoding.UTF8.GetBytes("the-attackers-own-key-of-32-characters"));
        Assert.False(AuditChain.Verify(other, Key, checkpoint).Valid);
        // Checked alone, the checkpoint pins the head: a same-length chain with another head was rewritten.
        Assert.Contains("rewritten", AuditCheckpoints.Check(checkpoint, other, Key), StringComparison.Ordinal);

        var forged = AuditCheckpoints.Create(entries.Take(2).ToList(), Start.AddHours(2), key: null);
        Assert.Contains("not signed with this key", AuditChain.Verify(entries, Key, forged).Problem, StringComparison.Ordinal);
    }
}
