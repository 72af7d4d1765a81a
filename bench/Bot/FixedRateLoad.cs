using System.Diagnostics;

namespace DrBot.Bench.Bot;

/// <summary>What one request ended as.</summary>
internal enum Outcome { Ok, Failed }

/// <summary>
/// An open-loop load generator: request i is due at i / rate seconds after the start, whether or not
/// earlier ones have answered (a slow server does not slow the arrivals down). Bounded three ways:
/// at most <see cref="MaxCount"/> requests, none started after <see cref="Duration"/>, and at most
/// <see cref="MaxInFlight"/> outstanding — when that many are waiting the generator falls behind,
/// and the achieved rate shows it.
/// </summary>
internal sealed class FixedRateLoad(double ratePerSecond, int maxCount, TimeSpan duration, int maxInFlight)
{
    public double Rate => ratePerSecond;
    public int MaxCount => maxCount;
    public TimeSpan Duration => duration;
    public int MaxInFlight => maxInFlight;

    public async Task<LoadResult> RunAsync(Func<int, CancellationToken, Task<Outcome>> send, CancellationToken cancellationToken)
    {
        var latencies = new double[maxCount];
        var outcomes = new Outcome[maxCount];
        var inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        var running = new List<Task>(maxCount);
        var clock = Stopwatch.StartNew();
        var maxStartLag = TimeSpan.Zero;
        var started = 0;
        while (started < maxCount && clock.Elapsed < duration)
        {
            var due = TimeSpan.FromSeconds(started / ratePerSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
                continue;
            }
            await inFlight.WaitAsync(cancellationToken);
            var lag = clock.Elapsed - due;
            if (lag > maxStartLag)
                maxStartLag = lag;
            var index = started++;
            running.Add(Task.Run(async () =>
            {
                var begin = Stopwatch.GetTimestamp();
                try
                {
                    outcomes[index] = await send(index, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    outcomes[index] = Outcome.Failed;
                }
                finally
                {
                    latencies[index] = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                    inFlight.Release();
                }
            }, cancellationToken));
        }
        var sendingTime = clock.Elapsed;
        await Task.WhenAll(running);
        var totalTime = clock.Elapsed;
        return new LoadResult(latencies.AsSpan(0, started).ToArray(), outcomes.AsSpan(0, started).ToArray(), sendingTime, totalTime, maxStartLag);
    }
}

/// <summary>Latencies (ms) and outcomes of the requests that were started, in start order.</summary>
internal sealed record LoadResult(double[] LatenciesMs, Outcome[] Outcomes, TimeSpan SendingTime, TimeSpan TotalTime, TimeSpan MaxStartLag)
{
    public int Count => LatenciesMs.Length;
    public int Failed => Outcomes.Count(o => o == Outcome.Failed);
    /// <summary>Answered requests per second over the whole run, waiting for the last answer included.</summary>
    public double AchievedPerSecond => Count / TotalTime.TotalSeconds;

    public double Percentile(double p)
    {
        if (Count == 0)
            return 0;
        var sorted = LatenciesMs.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public double Max => Count == 0 ? 0 : LatenciesMs.Max();
}
