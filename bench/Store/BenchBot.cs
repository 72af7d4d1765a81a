using System.Diagnostics;
using DrBot.Bot.Channels;
using DrBot.Bot.Hosting;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;

namespace DrBot.Bench.Store;

/// <summary>
/// The bot's real service graph (AddDrBotHost) on one store, without the web server and background
/// loops: the benchmark calls the command router the way a channel adapter does.
/// </summary>
internal sealed class BenchBot : IAsyncDisposable
{
    private const string GateRunbook = "bench-gate";
    private readonly ServiceProvider _services;
    private readonly string _dataDir;

    public string DataDir => _dataDir;

    private BenchBot(ServiceProvider services, string dataDir, IReadOnlyDictionary<string, string?> settings)
    {
        _services = services;
        _dataDir = dataDir;
        Settings = settings;
    }

    /// <summary>The configuration this graph was built with (a bot process on the same data takes these as environment variables).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Kept after disposal, for a bot process to go on with (the caller deletes it).</summary>
    public bool KeepData { get; set; }

    private IDrBotStore Store => _services.GetRequiredService<IDrBotStore>();

    public static async Task<BenchBot> CreateAsync(string store, string? postgresConnectionString)
    {
        var dataDir = Directory.CreateTempSubdirectory("drbot-bench-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["DrBot:Store:Provider"] = store,
            ["DrBot:Store:LiteDb:Path"] = Path.Combine(dataDir, "drbot.db"),
            ["DrBot:Store:Postgres:ConnectionString"] = postgresConnectionString,
            ["DrBot:Infrastructure:SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json"),
            ["DrBot:Infrastructure:SimulatedDelayFactor"] = "0",
            ["DrBot:Local:LogPath"] = Path.Combine(dataDir, "local-chat.json"),
            // The per-person command limit would refuse the benchmark's one person after 60 clicks a minute.
            ["DrBot:RateLimits:CommandsPerMinute"] = "1000000",
            // A runbook that is one approval gate: a click records and applies the decision, nothing else.
            [$"DrBot:Runbooks:{GateRunbook}:Title"] = "Benchmark gate",
            [$"DrBot:Runbooks:{GateRunbook}:Steps:0:Id"] = "approve",
            [$"DrBot:Runbooks:{GateRunbook}:Steps:0:Title"] = "Approve",
            [$"DrBot:Runbooks:{GateRunbook}:Steps:0:Kind"] = "gate",
            [$"DrBot:Runbooks:{GateRunbook}:Steps:0:Role"] = "lead",
        };
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(FindRoot(), "appsettings.json"))
            .AddInMemoryCollection(values)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDrBotHost(configuration);
        var bot = new BenchBot(services.BuildServiceProvider(), dataDir, values);
        await bot.Store.ListRunsAsync(unfinishedOnly: true, CancellationToken.None); // opens / migrates
        return bot;
    }

    /// <summary>Starts runs and advances each to its gate; returns what each card button would carry.</summary>
    public async Task<IReadOnlyList<(string RunId, int Version)>> PrepareGatesAsync(int count)
    {
        var engine = _services.GetRequiredService<RunbookEngine>();
        var alice = new Actor("alice", "Alice", "local", "alice");
        var gates = new (string, int)[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = await engine.StartAsync(new StartRunRequest(GateRunbook, "west-us", alice, null), CancellationToken.None);
                var run = await engine.AdvanceAsync(started.Run!.Id, CancellationToken.None);
                gates[i] = (run.Id, run.Version);
            }
        })));
        return gates;
    }

    /// <summary>Starts runs without advancing them: each waits for the engine to take it up (after a restart, recovery does).</summary>
    public async Task<IReadOnlyList<string>> StartQueuedAsync(int count)
    {
        var engine = _services.GetRequiredService<RunbookEngine>();
        var alice = new Actor("alice", "Alice", "local", "alice");
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
            ids.Add((await engine.StartAsync(new StartRunRequest(GateRunbook, "west-us", alice, null), CancellationToken.None)).Run!.Id);
        return ids;
    }

    public async Task ClickApproveAsync((string RunId, int Version) gate)
    {
        var data = new Dictionary<string, string>
        {
            ["runId"] = gate.RunId,
            ["stepId"] = "approve",
            ["version"] = gate.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var reply = await Handler.HandleAsync(Input("bob", null, new CardAction("approve", data, null)), CancellationToken.None);
        if (reply.IsError)
            throw new InvalidOperationException($"the click was refused: {reply.Text}");
    }

    public async Task CommandAsync(string text)
    {
        var reply = await Handler.HandleAsync(Input("alice", text, null), CancellationToken.None);
        if (reply.IsError)
            throw new InvalidOperationException($"'{text}' was refused: {reply.Text}");
    }

    public async Task ClearOutboxAsync()
    {
        foreach (var message in await Store.ListOutboxAsync(undeliveredOnly: true, CancellationToken.None))
            await Store.MarkDeliveredAsync(message.Sequence, DateTimeOffset.UnixEpoch, CancellationToken.None);
    }

    public async Task EnqueueAsync(int count)
    {
        for (var i = 0; i < count; i++)
            await Store.EnqueueAsync(new OutboxMessage(0, $"bench-{i % 10}", "conversation", OutboxOperation.Post, $"bench:{i}", "{\"text\":\"status\"}", DateTimeOffset.UnixEpoch), CancellationToken.None);
    }

    /// <summary>Claims and marks delivered until nothing is left; latency is per claimed message (claim + mark).</summary>
    public async Task<Measurement> DrainOutboxAsync(string store, string operation, int dispatchers)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var total = Stopwatch.StartNew();
        var now = DateTimeOffset.UnixEpoch.AddYears(60);
        await Task.WhenAll(Enumerable.Range(0, dispatchers).Select(d => Task.Run(async () =>
        {
            while (true)
            {
                var round = Stopwatch.StartNew();
                var claimed = await Store.ClaimDueOutboxAsync(now, $"dispatcher-{d}", TimeSpan.FromMinutes(1), CancellationToken.None);
                if (claimed.Count == 0)
                {
                    if (await Store.CountUndeliveredAsync(CancellationToken.None) == 0)
                        return;
                    continue;
                }
                foreach (var message in claimed)
                    await Store.MarkDeliveredAsync(message.Sequence, now, CancellationToken.None);
                var each = round.Elapsed.TotalMilliseconds / claimed.Count;
                foreach (var _ in claimed)
                    latencies.Add(each);
            }
        })));
        return new Measurement(store, operation, latencies.Count, total.Elapsed, [.. latencies]);
    }

    private IChatInputHandler Handler => _services.GetRequiredService<IChatInputHandler>();

    private ChatInput Input(string person, string? text, CardAction? action)
    {
        var who = _services.GetRequiredService<Roster>().ByName(person)!;
        return new ChatInput("local", "local", null, new ChatUser(who.Name, who.DisplayName, who), text, action, null);
    }

    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DrBot.sln")))
                return dir.FullName;
        throw new InvalidOperationException("run the benchmark from inside the DrBot repository (appsettings.json is read from its root)");
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (KeepData)
            return;
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
