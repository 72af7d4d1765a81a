using System.Diagnostics;
using System.Globalization;

namespace DrBot.Bench.Store;

/// <summary>Latencies of one measured operation, and the throughput of the whole batch.</summary>
internal sealed record Measurement(string Store, string Operation, int Count, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;
    public double P50 => Percentile(0.50);
    public double P99 => Percentile(0.99);

    private double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
            return 0;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Store,-8} | {Operation,-34} | {Count,6} | {PerSecond,9:F0} | {P50,8:F2} | {P99,8:F2} |");

    public const string Header = "| store    | operation                          |  count |   ops/s   | p50 (ms) | p99 (ms) |\n|----------|------------------------------------|--------|-----------|----------|----------|";

    /// <summary>Runs <paramref name="count"/> operations with <paramref name="parallelism"/> callers at once, timing each.</summary>
    public static async Task<Measurement> RunAsync(string store, string operation, int count, int parallelism, Func<int, Task> work)
    {
        var latencies = new double[count];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var one = Stopwatch.StartNew();
                await work(i);
                latencies[i] = one.Elapsed.TotalMilliseconds;
            }
        })));
        return new Measurement(store, operation, count, total.Elapsed, latencies);
    }
}
