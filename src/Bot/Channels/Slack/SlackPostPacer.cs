using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

/// <summary>
/// Keeps <c>chat.postMessage</c> to about one per second per channel (Slack's limit) by waiting,
/// on the injected clock, until the channel's previous post is an interval old.
/// </summary>
public sealed class SlackPostPacer(IOptions<SlackOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public async Task WaitTurnAsync(string channel, CancellationToken cancellationToken)
    {
        var lane = _lanes.GetOrAdd(channel, _ => new Lane());
        await lane.Gate.WaitAsync(cancellationToken);
        try
        {
            if (lane.Last is { } last)
            {
                var wait = last + options.Value.PostInterval - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }
            }
            lane.Last = time.GetUtcNow();
        }
        finally
        {
            lane.Gate.Release();
        }
    }

    private sealed class Lane
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset? Last { get; set; }
    }
}
