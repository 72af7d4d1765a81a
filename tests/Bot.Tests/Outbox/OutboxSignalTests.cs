using DrBot.Bot.Outbox;

namespace DrBot.Bot.Tests.Outbox;

/// <summary>Holding deliveries back while urgent work runs: waits for the hold to end, never for long.</summary>
public sealed class OutboxSignalTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public void Without_a_hold_a_delivery_goes_at_once()
    {
        var signal = new OutboxSignal();

        Assert.False(signal.IsHeld);
        Assert.True(signal.WaitWhileHeldAsync(None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_delivery_waits_while_held_and_goes_when_the_last_hold_ends()
    {
        var signal = new OutboxSignal();
        var first = signal.HoldDeliveries();
        var second = signal.HoldDeliveries();

        var waiting = signal.WaitWhileHeldAsync(None);
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        first.Dispose(); // a second dispose releases nothing more
        Assert.True(signal.IsHeld);
        second.Dispose();

        Assert.False(signal.IsHeld);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_hold_that_never_ends_delays_a_delivery_only_briefly()
    {
        var signal = new OutboxSignal();
        using var hold = signal.HoldDeliveries();

        // Bounded (about 50 ms): a long alert burst slows deliveries but never stops them.
        await signal.WaitWhileHeldAsync(None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(signal.IsHeld);
    }
}
