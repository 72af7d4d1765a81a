using System.Globalization;
using DrBot.Bench.Failover;

// Failover benchmark: approval → "new primary accepts writes" through the bot vs a bare pg_promote()
// on identical local PostgreSQL pairs (same run, interleaved), the server's own promotion time, and
// time to detect with a 1 s probe interval.
// Usage: dotnet run -c Release --project bench/Failover -- [rounds] [--trace]   (PostgreSQL must be installed)
var rounds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 5;
var trace = args.Contains("--trace");
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var ct = cancel.Token;

var bot = new List<double>();
var bare = new List<double>();
var floor = new List<double>();
await using (var pairs = await PostgresPairs.CreateAsync())
{
    // One unmeasured round each warms up the JIT, Npgsql and the store.
    await FailoverTimings.BotAsync(pairs, trace: false, ct);
    await FailoverTimings.BareAsync(pairs, ct);
    await FailoverTimings.FloorAsync(pairs, ct);
    for (var i = 0; i < rounds; i++)
    {
        bot.Add((await FailoverTimings.BotAsync(pairs, trace, ct)).TotalMilliseconds);
        bare.Add((await FailoverTimings.BareAsync(pairs, ct)).TotalMilliseconds);
        floor.Add((await FailoverTimings.FloorAsync(pairs, ct)).TotalMilliseconds);
    }
}
var detection = new List<(double Incident, double Recorded)>();
for (var i = 0; i < Math.Min(rounds, 3); i++)
{
    var (untilIncident, recorded) = await DetectionTiming.MeasureAsync(ct);
    detection.Add((untilIncident.TotalMilliseconds, recorded.TotalMilliseconds));
}

static string Row(string what, IReadOnlyList<double> ms) => string.Create(CultureInfo.InvariantCulture,
    $"| {what,-58} | {Median(ms),8:F0} | {ms.Min(),8:F0} | {ms.Max(),8:F0} |");
static double Median(IReadOnlyList<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rounds: {rounds} failovers each way, {detection.Count} detections; {Environment.ProcessorCount} CPUs"));
Console.WriteLine($"| {"measure (ms)",-58} | {"median",8} | {"min",8} | {"max",8} |");
Console.WriteLine($"|{new string('-', 60)}|{new string('-', 10)}|{new string('-', 10)}|{new string('-', 10)}|");
Console.WriteLine(Row("approval → new primary accepts writes (bot, runbook)", bot));
Console.WriteLine(Row("pg_promote() → accepts writes (bare, identical pair)", bare));
Console.WriteLine(Row("pg_promote(false) → accepts writes (server alone)", floor));
Console.WriteLine(Row("bot's share (bot − bare, medians)", [Median(bot) - Median(bare)]));
Console.WriteLine(Row("endpoint fails → P1 incident open (1 s interval)", detection.Select(d => d.Incident).ToList()));
Console.WriteLine(Row("recorded time to detect (first failed probe → detected)", detection.Select(d => d.Recorded).ToList()));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ratio bot / bare pg_promote() = {Median(bot) / Median(bare):F2} (target ≤ 1.2); bot / server alone = {Median(bot) / Median(floor):F2}"));
