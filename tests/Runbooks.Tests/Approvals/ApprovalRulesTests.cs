using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Tests.Engine;

namespace DrBot.Runbooks.Tests.Approvals;

/// <summary>
/// Issue 18's rules on the real engine (LiteDB file, simulated world): N of M approvers with four-eyes per
/// approver, any rejection ends the run, an approval bound to the facts its card showed (measured again at
/// the click), and the typed confirmation of a destructive gate.
/// </summary>
public class ApprovalRulesTests
{
    private static async Task<(EngineHarness H, RunRecord AtGate)> RegionFailoverAtGateAsync(Action<DrBot.Runbooks.Policy.DrBotOptions>? configure = null)
    {
        var h = new EngineHarness(configure);
        h.World.InjectRegionDown("east-us");
        var run = await h.StartAsync("region-failover", "west-us");
        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal("approve-failover", atGate.State);
        return (h, atGate);
    }

    private static string DigestOf(EngineHarness h, RunRecord run) =>
        GateFacts.Of(run, h.Get<RunbookCatalog>().Find(run.Runbook)!, run.State).Digest;

    private async Task<RunRecord> ReadAsync(EngineHarness h, string runId) => (await h.Store.GetRunAsync(runId, CancellationToken.None))!;

    [Fact]
    public async Task Region_failover_needs_two_leads_the_first_is_counted_and_the_second_starts_the_next_step()
    {
        var (h, atGate) = await RegionFailoverAtGateAsync();
        using var _ = h;

        var first = await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: DigestOf(h, atGate));
        Assert.True(first.Applied, first.Message);
        Assert.Contains("1 of 2 approvals (bob)", first.Message, StringComparison.Ordinal);
        var waiting = await h.Engine.AdvanceAsync(atGate.Id, CancellationToken.None);
        Assert.Equal("approve-failover", waiting.State);
        Assert.Equal(StepStatus.AwaitingApproval, waiting.Step("approve-failover")!.Status);
        Assert.Equal(["bob"], waiting.Step("approve-failover")!.Approvals.Select(a => a.Name));
        Assert.Null(await h.Store.GetDecisionAsync(atGate.Id, "approve-failover", CancellationToken.None));
        Assert.Empty(h.World.SideEffects);

        // Four-eyes per approver: bob does not count twice, alice (who asked) not at all.
        var again = await h.DecideAsync(waiting, "approve-failover", "bob", factsDigest: DigestOf(h, waiting));
        Assert.Equal(DecisionRefusal.AlreadyApproved, again.Refusal);
        Assert.Contains("already approved", again.Message, StringComparison.Ordinal);
        var requester = await h.DecideAsync(waiting, "approve-failover", "alice", factsDigest: DigestOf(h, waiting));
        Assert.Equal(DecisionRefusal.WrongRole, requester.Refusal);
        Assert.Empty(h.World.SideEffects);

        var second = await h.DecideAsync(waiting, "approve-failover", "carol", factsDigest: DigestOf(h, waiting));
        Assert.True(second.Applied, second.Message);
        var moved = await ReadAsync(h, atGate.Id);
        Assert.NotEqual("approve-failover", moved.State);
        Assert.Equal(StepStatus.Approved, moved.Step("approve-failover")!.Status);
        Assert.Contains("after bob (2 of 2)", moved.Step("approve-failover")!.Detail, StringComparison.Ordinal);
        var decisions = await h.Store.GetDecisionsAsync(atGate.Id, CancellationToken.None);
        Assert.Contains(decisions, d => d.StepId == ApprovalKeys.Of("approve-failover", 1, "bob"));
        Assert.Contains(decisions, d => d.StepId == "approve-failover" && d.DecidedBy == "carol");

        var final = await h.RunToEndAsync(moved);
        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.NotEmpty(h.World.SideEffects);
    }

    [Fact]
    public async Task The_requester_may_not_be_one_of_the_approvers_even_with_the_role()
    {
        using var h = new EngineHarness();
        h.World.InjectRegionDown("east-us");
        var run = await h.StartAsync("region-failover", "west-us", by: "bob");
        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        var own = await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: DigestOf(h, atGate));
        Assert.Equal(DecisionRefusal.SelfApproval, own.Refusal);
        Assert.True((await h.DecideAsync(atGate, "approve-failover", "carol", factsDigest: DigestOf(h, atGate))).Applied);
        Assert.Equal("approve-failover", (await ReadAsync(h, run.Id)).State);
    }

    [Fact]
    public async Task A_rejection_after_one_of_two_approvals_ends_the_run_rejected()
    {
        var (h, atGate) = await RegionFailoverAtGateAsync();
        using var _ = h;
        Assert.True((await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: DigestOf(h, atGate))).Applied);
        var waiting = await ReadAsync(h, atGate.Id);

        var rejected = await h.DecideAsync(waiting, "approve-failover", "carol", approve: false);
        Assert.True(rejected.Applied, rejected.Message);
        var final = await h.Engine.AdvanceAsync(atGate.Id, CancellationToken.None);
        Assert.Equal(RunOutcome.Rejected, final.Outcome);
        Assert.Equal(StepStatus.Rejected, final.Step("approve-failover")!.Status);
        Assert.Empty(h.World.SideEffects);
    }

    [Fact]
    public async Task A_pre_check_flipping_between_card_and_click_refuses_the_approval_and_asks_again_saying_what_changed()
    {
        var (h, atGate) = await RegionFailoverAtGateAsync();
        using var _ = h;
        var shown = DigestOf(h, atGate);
        Assert.True((await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: shown)).Applied);

        // Between the card and carol's click the replica falls 90 s behind: the lag check flips.
        h.World.InjectReplicationLag("west-us", 90);
        var waiting = await ReadAsync(h, atGate.Id);
        var refused = await h.DecideAsync(waiting, "approve-failover", "carol", factsDigest: DigestOf(h, waiting));
        Assert.Equal(DecisionRefusal.FactsChanged, refused.Refusal);
        Assert.Contains("check replication-lag: passed → failed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("replication lag seconds:", refused.Message, StringComparison.Ordinal);
        Assert.Contains("over 60 s", refused.Message, StringComparison.Ordinal);

        var reasked = await ReadAsync(h, atGate.Id);
        Assert.Equal("approve-failover", reasked.State);
        Assert.True(reasked.Version > waiting.Version);
        Assert.Empty(reasked.Step("approve-failover")!.Approvals); // bob approved other facts
        Assert.StartsWith("asked again", reasked.Step("approve-failover")!.Detail, StringComparison.Ordinal);
        Assert.Equal("90", reasked.Facts["replication_lag_seconds"]);
        Assert.Empty(h.World.SideEffects);
        var audit = await h.Store.ReadAuditAsync(CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "gate-reasked" && e.Detail.Contains("passed → failed", StringComparison.Ordinal));

        // The card bob and carol saw is no longer valid; the new card (new facts) is.
        var stale = await h.DecideAsync(reasked, "approve-failover", "carol", factsDigest: shown);
        Assert.Equal(DecisionRefusal.FactsChanged, stale.Refusal);
        var current = await ReadAsync(h, atGate.Id);
        Assert.NotEqual(shown, DigestOf(h, current));
        Assert.True((await h.DecideAsync(current, "approve-failover", "carol", factsDigest: DigestOf(h, current))).Applied);
        Assert.True((await h.DecideAsync(current, "approve-failover", "bob", factsDigest: DigestOf(h, current))).Applied);
        Assert.NotEqual("approve-failover", (await ReadAsync(h, atGate.Id)).State);
    }

    [Fact]
    public async Task Lag_moving_within_the_threshold_does_not_change_the_facts_an_approval_is_bound_to()
    {
        var (h, atGate) = await RegionFailoverAtGateAsync();
        using var _ = h;
        var shown = DigestOf(h, atGate);
        h.World.InjectReplicationLag("west-us", 20);

        var approved = await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: shown);
        Assert.True(approved.Applied, approved.Message);
    }

    [Fact]
    public async Task A_card_of_another_plan_version_is_refused()
    {
        var (h, atGate) = await RegionFailoverAtGateAsync();
        using var _ = h;
        var refused = await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: "0123456789abcdef");
        Assert.Equal(DecisionRefusal.FactsChanged, refused.Refusal);
        Assert.Contains("not the current ones", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await ReadAsync(h, atGate.Id)).Step("approve-failover")!.Approvals);
    }

    [Fact]
    public async Task A_destructive_gate_counts_an_approval_only_with_the_target_region_typed()
    {
        using var h = new EngineHarness();
        h.World.InjectReplicationLag("west-us", 90);
        var run = await h.StartAsync("database-failover", "west-us");
        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.True((await h.DecideAsync(atGate, "approve-promotion", "bob")).Applied);
        var atDataLoss = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal("accept-data-loss", atDataLoss.State);

        foreach (var typed in new string?[] { null, "east-us", "west" })
        {
            var wrong = await h.DecideAsync(atDataLoss, "accept-data-loss", "carol", confirm: typed);
            Assert.Equal(DecisionRefusal.ConfirmationMismatch, wrong.Refusal);
            Assert.Contains("type the target region's name, west-us", wrong.Message, StringComparison.Ordinal);
        }
        Assert.Equal("accept-data-loss", (await ReadAsync(h, run.Id)).State);
        Assert.DoesNotContain(h.World.SideEffects, e => e.Kind.Contains("promote", StringComparison.OrdinalIgnoreCase));

        // Rejecting needs no typing; approving with the name (any case, spaces around) counts.
        var right = await h.DecideAsync(atDataLoss, "accept-data-loss", "carol", confirm: " West-US ");
        Assert.True(right.Applied, right.Message);
        Assert.Equal(RunOutcome.Succeeded, (await h.Engine.AdvanceAsync(run.Id, CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task The_number_of_approvers_of_a_gate_is_configurable_and_one_lead_then_suffices()
    {
        var (h, atGate) = await RegionFailoverAtGateAsync(o => o.Approvals.Required["region-failover"] = new() { ["approve-failover"] = 1 });
        using var _ = h;
        Assert.True((await h.DecideAsync(atGate, "approve-failover", "bob", factsDigest: DigestOf(h, atGate))).Applied);
        Assert.NotEqual("approve-failover", (await ReadAsync(h, atGate.Id)).State);
    }

    [Theory]
    [InlineData("region-failover", "promote-database", 2, "is not a gate of region-failover")]
    [InlineData("nope", "approve-failover", 2, "unknown runbook 'nope'")]
    [InlineData("region-failover", "approve-failover", 0, "0 is not a number of approvers; valid: 1 to 5")]
    public void A_bad_required_approvals_key_stops_the_catalog_naming_the_key(string runbook, string gate, int count, string expected)
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new RunbookCatalog(
            new Dictionary<string, DrBot.Runbooks.Policy.RunbookDefinitionOptions>(), DrBot.Runbooks.Executors.StepExecutorRegistration.BuiltInNames,
            new Dictionary<string, Dictionary<string, int>> { [runbook] = new() { [gate] = count } }));
        Assert.Contains($"DrBot:Approvals:Required:{runbook}", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
