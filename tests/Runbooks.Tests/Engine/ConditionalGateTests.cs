using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

public class ConditionalGateTests
{
    [Fact]
    public async Task A_lag_of_30_seconds_skips_the_data_loss_gate_and_the_skip_is_audited()
    {
        using var h = new EngineHarness();
        h.World.InjectReplicationLag("west-us", 30);
        var run = await h.StartAsync("database-failover", "west-us");

        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal("approve-promotion", atGate.State);
        Assert.True((await h.DecideAsync(atGate, "approve-promotion", "bob")).Applied);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Equal("30", final.Facts["replication_lag_seconds"]);
        Assert.Equal(StepStatus.Skipped, final.Step("accept-data-loss")!.Status);
        var skip = Assert.Single(await h.Store.ReadAuditAsync(CancellationToken.None), e => e.Action == "gate-skipped");
        Assert.Contains("rpo_bound_seconds = 30", skip.Detail);
        Assert.Contains(await h.Store.GetJournalAsync(run.Id, CancellationToken.None), j => j.StepId == "accept-data-loss" && j.Phase == JournalPhase.Skipped);
        Assert.Equal("30", final.Facts["rpo_seconds"]);
    }

    [Fact]
    public async Task A_lag_of_90_seconds_stops_at_the_data_loss_gate_until_a_lead_accepts()
    {
        using var h = new EngineHarness();
        h.World.InjectReplicationLag("west-us", 90);
        var run = await h.StartAsync("database-failover", "west-us");

        var atGate = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.True((await h.DecideAsync(atGate, "approve-promotion", "bob")).Applied);
        var atDataLoss = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);

        Assert.Equal("accept-data-loss", atDataLoss.State);
        Assert.Equal(StepStatus.AwaitingApproval, atDataLoss.Step("accept-data-loss")!.Status);
        Assert.Equal("Accept possible data loss (up to 90 s of commits)", atDataLoss.Step("accept-data-loss")!.Title);
        Assert.Empty(h.World.SideEffects);

        Assert.True((await h.DecideAsync(atDataLoss, "accept-data-loss", "carol", confirm: "west-us")).Applied);
        var final = await h.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunOutcome.Succeeded, final.Outcome);
        Assert.Equal("90", final.Facts["rpo_seconds"]);
    }
}
