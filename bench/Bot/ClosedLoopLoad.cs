using System.Diagnostics;

namespace DrBot.Bench.Bot;

/// <summary>
/// A closed-loop generator, as <c>hey -c N</c>: <paramref name="connections"/> workers each send their
/// next request as soon as the previous one is answered, for <paramref name="duration"/>. It measures
/// how many requests a server completes per second with that many callers, the same way for the bot
/// and for its anchor.
/// </summary>
internal sealed class ClosedLoopLoad(int connections, TimeSpan duration)
{
    public int Connections => connections;

    public async Task<LoadResult> RunAsync(Func<int, CancellationToken, Task<Outcome>> send, CancellationToken cancellationToken)
    {
        var next = -1;
        var perWorker = new List<(int Index, double Ms, Outcome Outcome)>[connections];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var mine = perWorker[w] = new List<(int, double, Outcome)>(4096);
            while (clock.Elapsed < duration)
            {
                var index = Interlocked.Increment(ref next);
                var begin = Stopwatch.GetTimestamp();
                Outcome outcome;
                try
                {
                    outcome = await send(index, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcome = Outcome.Failed;
                }
                mine.Add((index, Stopwatch.GetElapsedTime(begin).TotalMilliseconds, outcome));
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        var total = clock.Elapsed;
        var all = perWorker.SelectMany(w => w).OrderBy(r => r.Index).ToArray();
        return new LoadResult(all.Select(r => r.Ms).ToArray(), all.Select(r => r.Outcome).ToArray(), total, total, TimeSpan.Zero);
    }
}
