using DrBot.Runbooks.Approvals;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task N_of_M_approvals_count_each_approver_once_per_ask_and_leave_the_gate_undecided()
    {
        var bob = new GateDecision("R-1", ApprovalKeys.Of("approve-failover", 1, "bob"), true, "bob", "Bob", "teams", Start, "ok");
        var carol = bob with { StepId = ApprovalKeys.Of("approve-failover", 1, "Carol"), DecidedBy = "carol", DisplayName = "Carol" };

        Assert.True(await Store.TryRecordDecisionAsync(bob, Ct));
        Assert.False(await Store.TryRecordDecisionAsync(bob with { Channel = "slack", DecidedAt = Start.AddSeconds(5) }, Ct));
        Assert.True(await Store.TryRecordDecisionAsync(carol, Ct));
        // Asked again (the facts changed): bob's approval of the new facts is a new one.
        Assert.True(await Store.TryRecordDecisionAsync(bob with { StepId = ApprovalKeys.Of("approve-failover", 2, "bob") }, Ct));

        Assert.Null(await Store.GetDecisionAsync("R-1", "approve-failover", Ct));
        var all = await Store.GetDecisionsAsync("R-1", Ct);
        Assert.Equal(["approve-failover#approval:1:bob", "approve-failover#approval:1:carol", "approve-failover#approval:2:bob"], all.Select(d => d.StepId));
        Assert.All(all, d => Assert.Equal("approve-failover", ApprovalKeys.GateOf(d.StepId)));
        Assert.Equal(bob, all[0]);
    }

    [Fact]
    public async Task Concurrent_approvals_by_the_same_person_record_one()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => Store.TryRecordDecisionAsync(
            new GateDecision("R-1", ApprovalKeys.Of("approve-failover", 1, "bob"), true, "bob", "Bob", i % 2 == 0 ? "teams" : "slack", Start.AddMilliseconds(i), null), Ct))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single(await Store.GetDecisionsAsync("R-1", Ct));
    }
}
