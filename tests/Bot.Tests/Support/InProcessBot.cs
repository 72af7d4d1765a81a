using DrBot.Bot.Hosting;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Support;

/// <summary>
/// The bot's real service graph (AddDrBotHost) without a web server or background loops, on a LiteDB
/// file and a <see cref="FakeTimeProvider"/>, so tests drive time and call the schedulers directly.
/// </summary>
public sealed class InProcessBot : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private InProcessBot(ServiceProvider services, FakeTimeProvider time, string dataDir)
    {
        _services = services;
        Time = time;
        DataDir = dataDir;
    }

    public FakeTimeProvider Time { get; }
    public string DataDir { get; }
    public IDrBotStore Store => Get<IDrBotStore>();

    public static readonly DateTimeOffset Start = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    public static InProcessBot Create(string? dataDir = null, FakeTimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? replace = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "drbot-inproc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        time ??= new FakeTimeProvider(Start);
        var values = new Dictionary<string, string?>
        {
            ["DrBot:Store:LiteDb:Path"] = Path.Combine(dataDir, "drbot.db"),
            ["DrBot:Infrastructure:SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json"),
            ["DrBot:Infrastructure:SimulatedDelayFactor"] = "0",
            ["DrBot:Local:LogPath"] = Path.Combine(dataDir, "local-chat.json"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values[key] = value;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.Root, "appsettings.json"))
            .AddInMemoryCollection(values)
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(time);
        services.AddDrBotHost(configuration);
        replace?.Invoke(services);
        return new InProcessBot(services.BuildServiceProvider(), time, dataDir);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>A second, separate instance (another replica's loop) built from the same services.</summary>
    public T New<T>() where T : notnull => ActivatorUtilities.CreateInstance<T>(_services);

    public static Actor Person(string name) => new(name, char.ToUpperInvariant(name[0]) + name[1..], "local", name);

    /// <summary>Everything enqueued for the local channel, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> LocalPostsAsync() =>
        (await Store.ListOutboxAsync(undeliveredOnly: false, CancellationToken.None)).Where(m => m.Channel == "local").OrderBy(m => m.Sequence).ToList();

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
