using DrBot.Runbooks.Engine;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>Per-run locks serialise one run's changes and are dropped when nobody holds or waits for them.</summary>
public sealed class RunLocksTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_second_change_of_the_same_run_waits_for_the_first_and_other_runs_do_not()
    {
        var locks = new RunLocks();
        var first = await locks.LockAsync("R-1", None);

        var second = locks.LockAsync("R-1", None);
        var other = await locks.LockAsync("R-2", None);

        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
        other.Dispose();
    }

    [Fact]
    public async Task The_table_holds_only_runs_being_worked_on()
    {
        var locks = new RunLocks();
        for (var i = 0; i < 1000; i++)
        {
            using var held = await locks.LockAsync($"R-{i}", None);
            Assert.Equal(1, locks.Count);
        }

        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task A_waiter_that_gives_up_leaves_nothing_behind_and_the_holder_still_releases()
    {
        var locks = new RunLocks();
        var held = await locks.LockAsync("R-1", None);
        using var giveUp = new CancellationTokenSource();

        var waiting = locks.LockAsync("R-1", giveUp.Token);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        held.Dispose(); // a second release is ignored

        Assert.Equal(0, locks.Count);
        (await locks.LockAsync("R-1", None)).Dispose();
    }
}
