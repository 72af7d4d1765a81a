using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Resilience;

/// <summary>
/// A fake clock that tells the test each wait asked of it (every timer, so every Task.Delay on it):
/// the test reads the wait, checks it, and moves the clock on by exactly that much. Nothing sleeps.
/// </summary>
public sealed class WaitRecordingClock : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public WaitRecordingClock() : base(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Every wait asked so far, in order.</summary>
    public List<TimeSpan> Waits { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (Waits) Waits.Add(dueTime);
        _waits.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// Lets <paramref name="work"/> run to its end, moving the clock on by each wait it asks for as soon
    /// as it asks; gives back the work's task (completed, faulted or cancelled).
    /// </summary>
    public async Task<T> DriveAsync<T>(Func<Task<T>> work)
    {
        var task = Task.Run(work);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!task.IsCompleted)
        {
            // Waiting to read takes nothing, so a wait asked after this call ends is left for the next one.
            var next = _waits.Reader.WaitToReadAsync(guard.Token).AsTask();
            if (await Task.WhenAny(task, next) == next && await next && _waits.Reader.TryRead(out var wait))
            {
                Advance(wait);
            }
        }
        return await task;
    }
}
