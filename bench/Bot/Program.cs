using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DrBot.Bench.Bot;

// Usage (from the repository root, after `dotnet build src/Bot -c Release`):
//   dotnet run -c Release --project bench/Bot [-- commands|alerts|anchored|soak|slack-clicks] [--command-rate 200] [--command-seconds 20]
//                                                [--alert-rate 1000] [--alert-seconds 10]
if (args.Length == 2 && args[0] == DrBot.Bench.Bot.Anchors.KestrelAnchor.Mode)
    return await DrBot.Bench.Bot.Anchors.KestrelAnchor.ServeAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
var options = BenchOptions.Parse(args);
var repoRoot = RepoRoot();
var table = new ResultTable();
Console.WriteLine($"DrBot bench: {Environment.ProcessorCount} cores, load average before: {LoadAverage()}");

if (args.Contains("soak"))
{
    await new SoakBench(repoRoot, IntArgument("--soak-alerts", 1_000_000), IntArgument("--soak-runs", 10_000)).RunAsync(CancellationToken.None);
    return 0;
}
if (args.Contains("slack-clicks"))
{
    Console.WriteLine(await new SlackClicksBench(repoRoot, IntArgument("--slack-clicks", 20)).RunAsync(CancellationToken.None));
    return 0;
}
if (options.RunAnchored)
{
    var anchored = new AnchoredBench(repoRoot, new AnchoredOptions(
        AckSeconds: options.AnchoredSeconds * 2, AlertSeconds: options.AnchoredSeconds));
    await anchored.RunAsync(CancellationToken.None);
    Console.WriteLine();
    anchored.Print(Console.Out);
}
if (options.RunCommands)
    await RunCommandsAsync();
if (options.RunAlerts)
    await RunAlertsAsync();

Console.WriteLine();
table.Print(Console.Out);
Console.WriteLine($"load average after: {LoadAverage()}");
return table.AllPassed ? 0 : 1;

async Task RunCommandsAsync()
{
    await using var bot = await BotUnderTest.StartAsync(repoRoot, CancellationToken.None);
    using var http = Client(bot.BaseUri);
    var workload = new CommandWorkload(http);
    await workload.SetUpAsync(CancellationToken.None);
    Console.WriteLine("(a) commands and card clicks: warming up…");
    await new FixedRateLoad(options.CommandRate, options.CommandRate * 3, TimeSpan.FromSeconds(3), 256).RunAsync(workload.SendAsync, CancellationToken.None);

    var load = new FixedRateLoad(options.CommandRate, options.CommandRate * options.CommandSeconds, TimeSpan.FromSeconds(options.CommandSeconds), 256);
    Console.WriteLine($"(a) {load.Rate} requests/s for {options.CommandSeconds} s…");
    var cpu = BotCpu.Start(bot.ProcessId);
    var result = await load.RunAsync(workload.SendAsync, CancellationToken.None);
    table.AddLatency("(a) commands + card clicks", result, cpu.CoresUsed(), p99TargetMs: 100);
    // Per kind, so a slow command is visible behind a fast average.
    for (var kind = 0; kind < CommandWorkload.Kinds.Length; kind++)
    {
        var mine = Enumerable.Range(0, result.Count).Where(i => i % CommandWorkload.Kinds.Length == kind).ToArray();
        var part = new LoadResult(mine.Select(i => result.LatenciesMs[i]).ToArray(), mine.Select(i => result.Outcomes[i]).ToArray(), result.SendingTime, result.TotalTime, result.MaxStartLag);
        table.AddKind($"    {CommandWorkload.Kinds[kind]}", part);
    }
}

async Task RunAlertsAsync()
{
    await using var bot = await BotUnderTest.StartAsync(repoRoot, CancellationToken.None);
    using var http = Client(bot.BaseUri);
    Console.WriteLine("(b) alert intake: warming up…");
    var warmUp = new AlertWorkload(http, 300);
    await new FixedRateLoad(options.AlertRate / 4.0, 300, TimeSpan.FromSeconds(5), 64).RunAsync(warmUp.SendAsync, CancellationToken.None);

    var maxPosts = options.AlertRate * options.AlertSeconds;
    var workload = new AlertWorkload(http, maxPosts);
    var load = new FixedRateLoad(options.AlertRate, maxPosts, TimeSpan.FromSeconds(options.AlertSeconds), 64);
    Console.WriteLine($"(b) up to {load.Rate} Alertmanager posts/s × {AlertWorkload.AlertsPerPost} alerts for {options.AlertSeconds} s…");
    var cpu = BotCpu.Start(bot.ProcessId);
    var result = await load.RunAsync(workload.SendAsync, CancellationToken.None);
    var cores = cpu.CoresUsed();

    // Every post answered; now wait for the outbox to deliver every group card.
    var drain = Stopwatch.StartNew();
    long backlog;
    while ((backlog = await BacklogAsync(http)) > 0 && drain.Elapsed < TimeSpan.FromMinutes(3))
        await Task.Delay(250);
    var drained = drain.Elapsed;
    await bot.StopAsync();

    var unique = AlertWorkload.UniquePosts(result.Count);
    var counts = StoreCount.Read(bot.StorePath, workload.GroupPrefix);
    table.AddLatency("(b) alertmanager posts (10 alerts)", result, cores, p99TargetMs: null);
    table.AddAlerts(result, options.AlertRate, workload, unique, counts, backlog, drained);
}

int IntArgument(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static HttpClient Client(Uri baseUri)
{
    var client = new HttpClient(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
    // The local web chat takes changes only from its page or from scripts that send its header.
    client.DefaultRequestHeaders.Add("X-DrBot-Local", "1");
    return client;
}

static async Task<long> BacklogAsync(HttpClient http)
{
    var health = await http.GetFromJsonAsync<JsonObject>("healthz");
    return health?["outboxBacklog"]?.GetValue<long>() ?? -1;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static string RepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DrBot.sln")))
                return dir.FullName;
    throw new DirectoryNotFoundException("run the bench from inside the DrBot repository");
}

/// <summary>Command line: which benchmarks, and their rates and durations.</summary>
internal sealed record BenchOptions(bool RunCommands, bool RunAlerts, bool RunAnchored, int CommandRate, int CommandSeconds, int AlertRate, int AlertSeconds, int AnchoredSeconds)
{
    public static BenchOptions Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : at >= 0 ? throw new ArgumentException($"{name} takes a positive whole number") : fallback;
        }
        var commands = args.Contains("commands");
        var alerts = args.Contains("alerts");
        var anchored = args.Contains("anchored");
        if (!commands && !alerts && !anchored)
            commands = alerts = anchored = true;
        return new BenchOptions(commands, alerts, anchored, Get("--command-rate", 200), Get("--command-seconds", 20), Get("--alert-rate", 1000), Get("--alert-seconds", 10),
            Get("--anchored-seconds", 10));
    }
}
