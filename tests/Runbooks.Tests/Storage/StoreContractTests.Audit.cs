using DrBot.Runbooks.Audit;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Audit_appends_number_entries_from_one_and_chain_each_to_the_previous()
    {
        var first = await Store.AppendAuditAsync(new AuditDraft(Start, "alice", "run.started", "R-1", "failover west-us"), Ct);
        var second = await Store.AppendAuditAsync(new AuditDraft(Start.AddSeconds(1), "bob", "gate.approved", "R-1/approve", "looks good"), Ct);

        Assert.Equal(1, first.Sequence);
        Assert.Equal(AuditChain.GenesisHash, first.PreviousHash);
        Assert.Equal(2, second.Sequence);
        Assert.Equal(first.Hash, second.PreviousHash);
        Assert.Equal([first, second], await Store.ReadAuditAsync(Ct));
        Assert.Equal(2, await Store.CountAuditAsync(Ct));
        Assert.True(AuditChain.Verify(await Store.ReadAuditAsync(Ct)).Valid);
    }

    [Fact]
    public async Task Concurrent_audit_appends_form_one_unbroken_chain()
    {
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() =>
            Store.AppendAuditAsync(new AuditDraft(Start.AddSeconds(i), $"actor-{i}", "test", "S", $"entry {i}"), Ct))));

        var entries = await Store.ReadAuditAsync(Ct);

        Assert.Equal(60, entries.Count);
        Assert.Equal(60, await Store.CountAuditAsync(Ct));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.True(AuditChain.Verify(entries).Valid);
    }
}
