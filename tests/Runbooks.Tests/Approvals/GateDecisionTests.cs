using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Tests.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Approvals;

public class GateDecisionTests
{
    /// <summary>alice (on-call) starts a database failover; it stops at "approve promotion".</summary>
    private static async Task<RunRecord> AtApprovalGateAsync(EngineHarness h)
    {
        var run = await h.StartAsync("database-failover", "west-us", by: "alice");
        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal("approve-promotion", atGate.State);
        return atGate;
    }

    private static async Task<IReadOnlyList<string>> RefusalsAsync(EngineHarness h) =>
        [.. (await h.Store.ReadAuditAsync(CancellationToken.None)).Where(e => e.Action == "decision-refused").Select(e => e.Detail)];

    [Fact]
    public async Task A_lead_approval_moves_the_run_past_the_gate_and_records_who_when_and_where()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);

        var result = await h.Engine.DecideAsync(new GateDecisionRequest(run.Id, "approve-promotion", new Actor("bob", "Bob", "slack", "U200"), true, "lag is fine", run.Version), CancellationToken.None);

        Assert.True(result.Applied, result.Message);
        var decision = await h.Store.GetDecisionAsync(run.Id, "approve-promotion", CancellationToken.None);
        Assert.Equal(("bob", "slack", true, "lag is fine", h.Time.GetUtcNow()), (decision!.DecidedBy, decision.Channel, decision.Approved, decision.Reason, decision.DecidedAt));
        var stored = await h.Store.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal(StepStatus.Approved, stored!.Step("approve-promotion")!.Status);
        Assert.NotEqual("approve-promotion", stored.State);
        Assert.Empty(h.World.SideEffects);
        Assert.Contains(await h.Store.ReadAuditAsync(CancellationToken.None), e => e.Action == "gate-approved" && e.Actor == "bob");
    }

    [Fact]
    public async Task A_rejection_ends_the_run_rejected_and_nothing_is_promoted()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);

        var result = await h.DecideAsync(run, "approve-promotion", "carol", approve: false);
        var after = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.True(result.Applied);
        Assert.Equal(RunOutcome.Rejected, after.Outcome);
        Assert.Equal(RunStates.Rejected, after.State);
        Assert.Empty(h.World.SideEffects);
    }

    [Fact]
    public async Task The_person_who_started_the_run_may_not_approve_it()
    {
        using var h = new EngineHarness();
        var run = await h.Engine.AdvanceAsync((await h.StartAsync("database-failover", "west-us", by: "bob")).Id, CancellationToken.None);

        var result = await h.DecideAsync(run, "approve-promotion", "bob");

        Assert.Equal(DecisionRefusal.SelfApproval, result.Refusal);
        Assert.Contains("Four-eyes", result.Message);
        Assert.Contains(await RefusalsAsync(h), d => d.Contains("SelfApproval", StringComparison.Ordinal));
        Assert.True((await h.DecideAsync(run, "approve-promotion", "carol")).Applied);
    }

    [Fact]
    public async Task Someone_without_the_lead_role_is_refused_with_the_role_needed()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);

        var result = await h.DecideAsync(run, "approve-promotion", "dana");

        Assert.Equal(DecisionRefusal.WrongRole, result.Refusal);
        Assert.Contains("needs role lead", result.Message);
        Assert.Contains(await RefusalsAsync(h), d => d.Contains("WrongRole", StringComparison.Ordinal));
        Assert.Null(await h.Store.GetDecisionAsync(run.Id, "approve-promotion", CancellationToken.None));
    }

    [Fact]
    public async Task Someone_not_on_the_roster_is_refused()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);

        var result = await h.Engine.DecideAsync(new GateDecisionRequest(run.Id, "approve-promotion", new Actor(null, "Mallory", "slack", "U666"), true, null, null), CancellationToken.None);

        Assert.Equal(DecisionRefusal.UnknownPerson, result.Refusal);
        Assert.Contains(await RefusalsAsync(h), d => d.Contains("UnknownPerson", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_decision_is_refused_and_told_who_decided_first()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);
        h.Time.Advance(TimeSpan.FromMinutes(12));
        Assert.True((await h.DecideAsync(run, "approve-promotion", "bob")).Applied);

        var second = await h.DecideAsync(run, "approve-promotion", "carol", approve: false);

        Assert.Equal(DecisionRefusal.AlreadyDecided, second.Refusal);
        Assert.StartsWith("Already approved by bob at 03:12", second.Message);
        Assert.Equal("bob", second.Decision!.DecidedBy);
        Assert.Contains(await RefusalsAsync(h), d => d.Contains("AlreadyDecided", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_click_on_a_superseded_card_is_refused_as_stale_with_the_current_state()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);

        var result = await h.DecideAsync(run, "approve-promotion", "bob", cardVersion: run.Version - 1);

        Assert.Equal(DecisionRefusal.Stale, result.Refusal);
        Assert.Contains("Approve promotion", result.Message);
        Assert.Contains(await RefusalsAsync(h), d => d.Contains("Stale", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_gate_left_undecided_past_the_expiry_ends_the_run_gate_expired_with_an_escalation_event()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);
        Assert.Equal(EngineHarness.Start + TimeSpan.FromMinutes(30), run.GateExpiresAt);

        h.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await h.Engine.ExpireDueGatesAsync(CancellationToken.None));
        h.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await h.Engine.ExpireDueGatesAsync(CancellationToken.None));

        var stored = await h.Store.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunOutcome.GateExpired, stored!.Outcome);
        Assert.Equal(StepStatus.Expired, stored.Step("approve-promotion")!.Status);
        Assert.Contains(h.Observer.Changes, c => c.Change.Kind == RunChangeKind.GateExpired && c.Change.Detail.Contains("escalate", StringComparison.Ordinal));
        Assert.Contains(await h.Store.ReadAuditAsync(CancellationToken.None), e => e.Action == "gate-expired");

        var late = await h.DecideAsync(run, "approve-promotion", "bob");
        Assert.Equal(DecisionRefusal.Expired, late.Refusal);
        Assert.Contains(await RefusalsAsync(h), d => d.Contains("Expired", StringComparison.Ordinal));
        Assert.Empty(h.World.SideEffects);
    }

    [Fact]
    public async Task A_decision_after_the_expiry_is_refused_even_before_the_expiry_sweep_ran()
    {
        using var h = new EngineHarness(o => o.Approvals.Expiry = TimeSpan.FromMinutes(5));
        var run = await AtApprovalGateAsync(h);
        h.Time.Advance(TimeSpan.FromMinutes(6));

        var late = await h.DecideAsync(run, "approve-promotion", "bob");

        Assert.Equal(DecisionRefusal.Expired, late.Refusal);
        Assert.Equal(RunOutcome.GateExpired, (await h.Store.GetRunAsync(run.Id, CancellationToken.None))!.Outcome);
        Assert.Null(await h.Store.GetDecisionAsync(run.Id, "approve-promotion", CancellationToken.None));
    }

    [Fact]
    public async Task A_hundred_concurrent_approvals_record_exactly_one_decision()
    {
        using var h = new EngineHarness();
        var run = await AtApprovalGateAsync(h);

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            h.DecideAsync(run, "approve-promotion", i % 2 == 0 ? "bob" : "carol"))));

        Assert.Single(results, r => r.Applied);
        Assert.All(results.Where(r => !r.Applied), r => Assert.Equal(DecisionRefusal.AlreadyDecided, r.Refusal));
        Assert.Single(await h.Store.GetDecisionsAsync(run.Id, CancellationToken.None));
        Assert.Single(await h.Store.GetJournalAsync(run.Id, CancellationToken.None), j => j.Phase == JournalPhase.GateDecided);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Single(h.World.SideEffects, e => e.Kind == "database.promote");
    }
}

public class GateRerequestTests
{
    [Fact]
    public async Task Re_requesting_a_pending_gate_restarts_its_expiry_and_makes_older_cards_stale()
    {
        using var h = new EngineHarness();
        var run = await h.Engine.AdvanceAsync((await h.StartAsync("database-failover", "west-us")).Id, CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(25));

        var again = await h.Engine.RerequestGateAsync(run.Id, EngineHarness.Person("alice"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromMinutes(20), again!.GateExpiresAt);
        Assert.Equal(0, await h.Engine.ExpireDueGatesAsync(CancellationToken.None));
        Assert.Equal(DecisionRefusal.Stale, (await h.DecideAsync(run, "approve-promotion", "bob", cardVersion: run.Version)).Refusal);
        Assert.True((await h.DecideAsync(run, "approve-promotion", "bob", cardVersion: again.Version)).Applied);
    }
}
