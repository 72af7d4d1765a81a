using System.Globalization;

namespace DrBot.Bench.Bot;

/// <summary>The printed result: one row per measurement, then the alert intake's loss check.</summary>
internal sealed class ResultTable
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public bool AllPassed { get; private set; } = true;

    public void AddLatency(string name, LoadResult result, double botCores, double? p99TargetMs)
    {
        var verdict = "";
        if (p99TargetMs is { } target)
        {
            var ok = result.Percentile(99) < target && result.Failed == 0;
            AllPassed &= ok;
            verdict = ok ? $"p99 < {target} ms: yes" : $"p99 < {target} ms: NO";
        }
        _rows.Add([
            name, Num(result.Count), Num(result.AchievedPerSecond, 1), Ms(result.Percentile(50)), Ms(result.Percentile(95)),
            Ms(result.Percentile(99)), Ms(result.Max), Num(result.Failed), Num(botCores, 2), verdict,
        ]);
        _notes.Add($"{name}: generator fell behind schedule by at most {result.MaxStartLag.TotalMilliseconds:0} ms; last answer {result.TotalTime.TotalSeconds:0.0} s after the start.");
    }

    public void AddKind(string name, LoadResult result) =>
        _rows.Add([name, Num(result.Count), "", Ms(result.Percentile(50)), Ms(result.Percentile(95)), Ms(result.Percentile(99)), Ms(result.Max), Num(result.Failed), "", ""]);

    /// <summary>The loss check, and the verdict in the last row: the offered rate sustained (98 % of it reached) without loss.</summary>
    public void AddAlerts(LoadResult result, int offeredRate, AlertWorkload workload, int uniquePosts, StoreCount.Counts counts, long backlog, TimeSpan drained)
    {
        var expectedAccepted = (long)uniquePosts * AlertWorkload.AlertsPerPost;
        var expectedDuplicates = (long)(result.Count - uniquePosts) * AlertWorkload.AlertsPerPost;
        var noLoss = result.Failed == 0 && workload.Accepted == expectedAccepted && workload.Duplicates == expectedDuplicates
            && counts.AlertLines == expectedAccepted && counts.AlertGroups == uniquePosts && backlog == 0;
        var sustained = result.AchievedPerSecond >= 0.98 * offeredRate;
        AllPassed &= noLoss && sustained;
        _rows[^1][^1] = string.Create(CultureInfo.InvariantCulture, $"{offeredRate}/s, no loss: {(noLoss && sustained ? "yes" : "NO")}");
        var seconds = result.TotalTime.TotalSeconds;
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"(b) achieved {result.Count / seconds:0} posts/s = {result.Count * AlertWorkload.AlertsPerPost / seconds:0} alerts/s ({uniquePosts} new posts, {result.Count - uniquePosts} re-deliveries)."));
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"(b) accepted {workload.Accepted} (expected {expectedAccepted}), duplicates {workload.Duplicates} (expected {expectedDuplicates}); store holds {counts.AlertGroups} group records (expected {uniquePosts}) with {counts.AlertLines} distinct alerts (expected {expectedAccepted})."));
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"(b) outbox: {counts.OutboxDelivered} delivered, {counts.OutboxUndelivered} undelivered; backlog reached {backlog} {drained.TotalSeconds:0.0} s after the last answer."));
        _notes.Add($"(b) no loss: {(noLoss ? "yes" : "NO")}");
    }

    public void Print(TextWriter output)
    {
        string[] header = ["measurement", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failed", "bot cores", "target"];
        var widths = header.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine("| " + string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))) + " |");
        output.WriteLine("|" + string.Join("|", widths.Select((w, i) => i == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (var row in _rows)
            output.WriteLine("| " + string.Join(" | ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |");
        output.WriteLine();
        foreach (var note in _notes)
            output.WriteLine(note);
    }

    private static string Ms(double value) => value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string Num(double value, int decimals = 0) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
