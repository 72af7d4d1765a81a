using DrBot.Bot.Hosting;
using DrBot.Bot.Monitoring;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Health;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Monitoring;

/// <summary>
/// The bot's real service graph (AddDrBotHost on a LiteDB file and a FakeTimeProvider) whose health
/// probes are the live <see cref="HttpHealthProbe"/> against real local endpoints: east-us (the
/// primary) and west-us (the secondary) each have one. Databases, clusters and traffic stay
/// simulated (delays off), so the failover's pre-checks read the real probes and the simulated rest.
/// The run dispatcher runs for real, so a started run advances to its gate on its own.
/// </summary>
public sealed class MonitoredBot : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly CancellationTokenSource _stop = new();

    private MonitoredBot(ServiceProvider services, FakeTimeProvider time, HealthEndpoint east, HealthEndpoint west, string dataDir)
    {
        _services = services;
        Time = time;
        East = east;
        West = west;
        DataDir = dataDir;
    }

    public FakeTimeProvider Time { get; }
    public HealthEndpoint East { get; }
    public HealthEndpoint West { get; }
    public string DataDir { get; }
    public HealthMonitor Monitor => Get<HealthMonitor>();
    public IDrBotStore Store => Get<IDrBotStore>();

    /// <param name="settings">Configuration on top of the defaults (more regions, other roles).</param>
    public static async Task<MonitoredBot> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var east = await HealthEndpoint.StartAsync();
        var west = await HealthEndpoint.StartAsync();
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-monitor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var time = new FakeTimeProvider(InProcessBot.Start);
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.Root, "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DrBot:Store:LiteDb:Path"] = Path.Combine(dataDir, "drbot.db"),
                ["DrBot:Infrastructure:SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json"),
                ["DrBot:Infrastructure:SimulatedDelayFactor"] = "0",
                ["DrBot:Local:LogPath"] = Path.Combine(dataDir, "local-chat.json"),
                ["DrBot:Regions:east-us:Health:Urls:0"] = $"core-api={east.Url}",
                ["DrBot:Regions:west-us:Health:Urls:0"] = $"core-api={west.Url}",
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(time);
        services.AddDrBotHost(configuration);
        // The live probe, registered as AddLiveInfrastructure does; the other ports stay simulated.
        services.AddOptions<LiveInfrastructureOptions>().Bind(configuration.GetSection(LiveInfrastructureOptions.Section));
        services.RemoveAll<IHealthProbe>();
        services.AddHttpClient<IHealthProbe, HttpHealthProbe>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        var bot = new MonitoredBot(services.BuildServiceProvider(), time, east, west, dataDir);
        await bot.Get<RunDispatcher>().StartAsync(bot._stop.Token);
        return bot;
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>
    /// One check of every region, then the interval passes on the fake clock. A run the check started
    /// is let reach its gate first: advancing the fake clock under its pre-checks would expire their
    /// real HTTP probes' timeouts (driven by the same clock) and fail them for the wrong reason.
    /// </summary>
    public async Task<IReadOnlyList<HealthTriggerResult>> CheckAsync()
    {
        var results = await Monitor.ProbeOnceAsync(CancellationToken.None);
        foreach (var started in results.Where(r => r.RunId is not null && r.Outcome.Contains("started", StringComparison.Ordinal)))
            await SettledAsync(started.RunId!);
        Time.Advance(Monitor.Options.Interval);
        return results;
    }

    /// <summary>Waits until the run waits for a decision or has finished.</summary>
    public async Task<RunRecord> SettledAsync(string runId)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await Store.GetRunAsync(runId, CancellationToken.None) is { } run
                && (run.IsFinished || run.Steps.Any(s => s.Status == StepStatus.AwaitingApproval)))
                return run;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{runId} neither reached a gate nor finished within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Get<RunDispatcher>().StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        await East.DisposeAsync();
        await West.DisposeAsync();
        _stop.Dispose();
        try { Directory.Delete(DataDir, recursive: true); }
        catch (IOException) { }
    }
}
