using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace DrBot.Bench.Bot;

/// <summary>
/// Months of use compressed: alert groups that fire and resolve (each post's ten alerts resolve in the
/// next post) and runbook runs one after another, with retention set to its shortest ages, while
/// the bot's resident memory and its store's size are sampled. Bounded means both level off once
/// retention is pruning as fast as the load adds.
/// </summary>
internal sealed class SoakBench(string repoRoot, int alerts, int runs)
{
    public const string SoakRunbook = "soak-check";
    private readonly List<string> _samples = [];
    private long _alertsSent;
    private long _runsDone;
    private long _failed;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var bot = await BotUnderTest.StartAsync(repoRoot, cancellationToken, new Dictionary<string, string>
        {
            ["DrBot__Retention__Interval"] = "00:00:15",
            ["DrBot__Retention__DeliveredOutbox"] = "00:01:00",
            ["DrBot__Retention__VersionClaims"] = "00:01:00",
            ["DrBot__Retention__ResolvedAlertGroups"] = "00:01:00",
            ["DrBot__Retention__LocalChat"] = "00:01:00",
            [$"DrBot__Runbooks__{SoakRunbook}__Title"] = "Soak check",
            [$"DrBot__Runbooks__{SoakRunbook}__Steps__0__Id"] = "healthy",
            [$"DrBot__Runbooks__{SoakRunbook}__Steps__0__Title"] = "Region is healthy",
            [$"DrBot__Runbooks__{SoakRunbook}__Steps__0__Kind"] = "check",
            [$"DrBot__Runbooks__{SoakRunbook}__Steps__0__Executor"] = "check.region-healthy",
            [$"DrBot__Runbooks__{SoakRunbook}__Steps__0__Args__region"] = "{region}",
        });
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = bot.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-DrBot-Local", "1");
        var clock = Stopwatch.StartNew();
        Sample(bot, clock);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None);
                Sample(bot, clock);
            }
        }, CancellationToken.None);

        var tag = Guid.NewGuid().ToString("N")[..8];
        var posts = alerts / AlertPayloads.AlertsPerPost;
        var next = -1;
        var alertWorkers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < posts)
            {
                // Post 2k fires group k; post 2k+1 resolves it.
                var body = AlertPayloads.Webhook(tag, i / 2, resolved: i % 2 == 1);
                using var request = new HttpRequestMessage(HttpMethod.Post, "api/alerts/alertmanager") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BotUnderTest.AlertToken);
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    Interlocked.Increment(ref _failed);
                Interlocked.Add(ref _alertsSent, AlertPayloads.AlertsPerPost);
            }
        }, cancellationToken)).ToList();
        var runWorker = Task.Run(() => RunRunbooksAsync(http, cancellationToken), cancellationToken);
        await Task.WhenAll(alertWorkers.Append(runWorker));
        var loaded = clock.Elapsed;

        // Retention catches up: two passes after the shortest age has passed.
        await Task.Delay(TimeSpan.FromSeconds(95), cancellationToken);
        await sampling.CancelAsync();
        await sampler;
        Sample(bot, clock);
        Console.WriteLine(Invariant($"soak: {_alertsSent} alerts ({posts / 2} groups fired and resolved) and {_runsDone} runs in {loaded.TotalSeconds:0} s, {_failed} failed requests; retention at its shortest ages (1 min, every 15 s)."));
        Console.WriteLine("| elapsed s | alerts sent | runs done | RSS MB | store MB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (var sample in _samples)
            Console.WriteLine(sample);
        if (int.TryParse(Environment.GetEnvironmentVariable("DRBOT_SOAK_HOLD_SECONDS"), CultureInfo.InvariantCulture, out var hold))
        {
            // Time to look at the bot from another shell (dotnet-counters, /proc/<pid>/smaps).
            Console.WriteLine(Invariant($"soak: holding the bot (pid {bot.ProcessId}) for {hold} s"));
            await Task.Delay(TimeSpan.FromSeconds(hold), cancellationToken);
        }
        if (Environment.GetEnvironmentVariable("DRBOT_SOAK_GCDUMP") is { Length: > 0 } dumpPath)
        {
            // For finding what holds the memory: dotnet tool install -g dotnet-gcdump
            using var dump = Process.Start("dotnet-gcdump", ["collect", "-p", bot.ProcessId.ToString(CultureInfo.InvariantCulture), "-o", dumpPath]);
            await dump.WaitForExitAsync(cancellationToken);
        }
    }

    private async Task RunRunbooksAsync(HttpClient http, CancellationToken cancellationToken)
    {
        // One run at a time: a runbook runs once per region at a time, and this one finishes at once.
        var regions = new[] { "west-us", "east-us" };
        var attempt = 0;
        while (Interlocked.Read(ref _runsDone) < runs)
        {
            var region = regions[attempt++ % regions.Length];
            using var response = await http.PostAsJsonAsync("api/local/messages", new { user = "bob", text = $"runbook start {SoakRunbook} {region}" }, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode && body.Contains("run-", StringComparison.Ordinal) && !body.Contains("already", StringComparison.OrdinalIgnoreCase))
                Interlocked.Increment(ref _runsDone);
            else
                await Task.Delay(5, cancellationToken);
        }
    }

    private void Sample(BotUnderTest bot, Stopwatch clock)
    {
        var store = new DirectoryInfo(bot.DataDir).EnumerateFiles("drbot.db*").Sum(f => f.Length) / 1048576.0;
        lock (_samples)
            _samples.Add(Invariant($"| {clock.Elapsed.TotalSeconds:0} | {Interlocked.Read(ref _alertsSent)} | {Interlocked.Read(ref _runsDone)} | {AnchoredBench.ResidentMegabytes(bot.ProcessId):0} | {store:0.0} |"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
