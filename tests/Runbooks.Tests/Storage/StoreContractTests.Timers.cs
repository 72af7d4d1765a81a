using DrBot.Runbooks.Timers;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Only_due_timers_are_claimed_and_a_claimed_timer_is_not_claimed_again_while_leased()
    {
        await Store.ScheduleTimerAsync(new ScheduledTimer("status:INC-0001", TimerKinds.StatusPost, "INC-0001", Start.AddMinutes(15)), Ct);
        await Store.ScheduleTimerAsync(new ScheduledTimer("escalation:INC-0001", TimerKinds.Escalation, "INC-0001", Start.AddMinutes(30), "cto"), Ct);

        Assert.Empty(await Store.ClaimDueTimersAsync(Start.AddMinutes(14), "bot-a", Lease, 10, Ct));

        var claimed = await Store.ClaimDueTimersAsync(Start.AddMinutes(15), "bot-a", Lease, 10, Ct);
        var timer = Assert.Single(claimed);
        Assert.Equal("status:INC-0001", timer.Id);
        Assert.Equal("bot-a", timer.LeaseOwner);
        Assert.Equal(Start.AddMinutes(16), timer.LeaseUntil);
        Assert.Empty(await Store.ClaimDueTimersAsync(Start.AddMinutes(15.5), "bot-b", Lease, 10, Ct));
    }

    [Fact]
    public async Task A_timer_whose_lease_expired_is_claimed_by_another_owner_and_only_the_holder_completes_it()
    {
        await Store.ScheduleTimerAsync(new ScheduledTimer("gate:R-1:approve", TimerKinds.GateExpiry, "R-1", Start), Ct);
        await Store.ClaimDueTimersAsync(Start, "bot-a", Lease, 10, Ct);

        var taken = await Store.ClaimDueTimersAsync(Start.AddMinutes(2), "bot-b", Lease, 10, Ct);

        Assert.Equal("bot-b", Assert.Single(taken).LeaseOwner);
        Assert.False(await Store.CompleteTimerAsync("gate:R-1:approve", "bot-a", Ct));
        Assert.True(await Store.CompleteTimerAsync("gate:R-1:approve", "bot-b", Ct));
        Assert.Empty(await Store.ListTimersAsync(Ct));
        Assert.False(await Store.CompleteTimerAsync("gate:R-1:approve", "bot-b", Ct));
    }

    [Fact]
    public async Task Rescheduling_a_timer_moves_it_and_clears_its_lease()
    {
        await Store.ScheduleTimerAsync(new ScheduledTimer("status:INC-0001", TimerKinds.StatusPost, "INC-0001", Start), Ct);
        await Store.ClaimDueTimersAsync(Start, "bot-a", Lease, 10, Ct);

        await Store.ScheduleTimerAsync(new ScheduledTimer("status:INC-0001", TimerKinds.StatusPost, "INC-0001", Start.AddMinutes(15)), Ct);

        var timer = Assert.Single(await Store.ListTimersAsync(Ct));
        Assert.Equal(Start.AddMinutes(15), timer.DueAt);
        Assert.Null(timer.LeaseOwner);
        Assert.Empty(await Store.ClaimDueTimersAsync(Start.AddMinutes(1), "bot-b", Lease, 10, Ct));
        Assert.Single(await Store.ClaimDueTimersAsync(Start.AddMinutes(15), "bot-b", Lease, 10, Ct));
    }

    [Fact]
    public async Task Claiming_takes_at_most_max_timers_oldest_first_and_cancel_removes_one()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.ScheduleTimerAsync(new ScheduledTimer($"t{i}", TimerKinds.StatusPost, $"INC-{i}", Start.AddSeconds(-i)), Ct);
        }
        await Store.CancelTimerAsync("t4", Ct);

        var claimed = await Store.ClaimDueTimersAsync(Start, "bot-a", Lease, 2, Ct);

        Assert.Equal(["t3", "t2"], claimed.Select(t => t.Id));
        Assert.Equal(4, (await Store.ListTimersAsync(Ct)).Count);
    }

    [Fact]
    public async Task Concurrent_claimers_never_get_the_same_timer()
    {
        for (var i = 0; i < 20; i++)
        {
            await Store.ScheduleTimerAsync(new ScheduledTimer($"t{i}", TimerKinds.Escalation, "INC-1", Start), Ct);
        }

        var batches = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => Store.ClaimDueTimersAsync(Start, $"bot-{i}", Lease, 3, Ct))));

        var ids = batches.SelectMany(b => b).Select(t => t.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(20, ids.Count);
    }
}
