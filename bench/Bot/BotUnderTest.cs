using System.Diagnostics;

namespace DrBot.Bench.Bot;

/// <summary>
/// The real bot as a child process: the Release build of DrBot.Bot.dll on a free loopback port, its
/// data in a fresh temporary folder, simulated infrastructure with no delays, an alert token set.
/// </summary>
internal sealed class BotUnderTest : IAsyncDisposable
{
    public const string AlertToken = "bench-alert-token";

    private readonly BotLauncher _bot;

    private BotUnderTest(BotLauncher bot, string dataDir)
    {
        _bot = bot;
        DataDir = dataDir;
    }

    public Uri BaseUri => _bot.BaseUri;
    public string DataDir { get; }
    public string StorePath => Path.Combine(DataDir, "drbot.db");
    public int ProcessId => _bot.Process.Id;
    public string Output => _bot.Output;

    public static async Task<BotUnderTest> StartAsync(string repoRoot, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? extra = null)
    {
        var dll = Path.Combine(repoRoot, "src", "Bot", "bin", "Release", "net10.0", "DrBot.Bot.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"Build the bot first: dotnet build src/Bot -c Release (missing {dll}).");
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var settings = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DrBot__Store__LiteDb__Path"] = Path.Combine(dataDir, "drbot.db"),
            ["DrBot__Infrastructure__SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json"),
            ["DrBot__Infrastructure__SimulatedDelayFactor"] = "0",
            ["DrBot__Local__LogPath"] = Path.Combine(dataDir, "local-chat.json"),
            ["DrBot__Alerts__Token"] = AlertToken,
            // The bench offers far more than any person or sender would; the limits are not what it measures.
            ["DrBot__RateLimits__PerIpPerSecond"] = "1000000",
            ["DrBot__RateLimits__CommandsPerMinute"] = "1000000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        // Experiments without rebuilding: DRBOT_BENCH_BOT_ENV="DOTNET_gcServer=0;DrBot__Retention__Interval=00:01:00"
        foreach (var pair in (Environment.GetEnvironmentVariable("DRBOT_BENCH_BOT_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at > 0)
                settings[pair[..at]] = pair[(at + 1)..];
        }
        return new BotUnderTest(await BotLauncher.StartAsync(dll, repoRoot, settings, cancellationToken), dataDir);
    }

    /// <summary>Stops the bot (SIGTERM first so LiteDB closes its file cleanly, then SIGKILL).</summary>
    public async Task StopAsync()
    {
        if (_bot.Process.HasExited)
            return;
        using (var term = Process.Start("kill", ["-TERM", _bot.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _bot.Process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _bot.Process.Kill(entireProcessTree: true);
            await _bot.Process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _bot.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // left behind in /tmp; harmless
        }
    }
}
