using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using System.Diagnostics;
using DrBot.Bot.Hosting;
using DrBot.Bot.Monitoring;
using DrBot.Bot.Runs;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Health;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DrBot.Bench.Failover;

/// <summary>
/// Time to detect with a 1 s probe interval: the bot's real service graph and health monitor
/// (real clock, HTTP probes against a local endpoint), the endpoint switched to 503, then the wall
/// time until the P1 incident exists, and the time to detect the incident records.
/// </summary>
internal static class DetectionTiming
{
    public static async Task<(TimeSpan UntilIncident, TimeSpan Recorded)> MeasureAsync(CancellationToken cancellationToken)
    {
        var failing = false;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var endpoint = builder.Build();
        endpoint.MapGet("/healthz", () => Volatile.Read(ref failing) ? Results.StatusCode(503) : Results.Ok());
        await endpoint.StartAsync(cancellationToken);
        var url = endpoint.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/healthz";

        var dir = Directory.CreateTempSubdirectory("drbot-bench-bot-").FullName;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoRoot(), "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DrBot:Store:LiteDb:Path"] = Path.Combine(dir, "drbot.db"),
                ["DrBot:Infrastructure:SimulatedStatePath"] = "",
                ["DrBot:Infrastructure:SimulatedDelayFactor"] = "0",
                ["DrBot:Local:LogPath"] = Path.Combine(dir, "local-chat.json"),
                ["DrBot:Regions:east-us:Health:Urls:0"] = $"core-api={url}",
                ["DrBot:Monitoring:Enabled"] = "true",
                ["DrBot:Monitoring:Interval"] = "00:00:01",
            }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDrBotHost(configuration);
        services.AddOptions<LiveInfrastructureOptions>().Bind(configuration.GetSection(LiveInfrastructureOptions.Section));
        services.RemoveAll<IHealthProbe>();
        services.AddHttpClient<IHealthProbe, HttpHealthProbe>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDrBotStore>();
        var monitor = provider.GetRequiredService<HealthMonitor>();
        var dispatcher = provider.GetRequiredService<RunDispatcher>();
        await dispatcher.StartAsync(cancellationToken);
        await monitor.StartAsync(cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2.5), cancellationToken); // a few healthy checks first

        Volatile.Write(ref failing, true);
        var clock = Stopwatch.StartNew();
        while ((await store.ListIncidentsAsync(openOnly: true, cancellationToken)).FirstOrDefault() is not { } incident)
            await Task.Delay(5, cancellationToken);
        var untilIncident = clock.Elapsed;
        var opened = (await store.ListIncidentsAsync(openOnly: true, cancellationToken))[0];
        var recorded = opened.DetectedAt!.Value - opened.FailureStartedAt!.Value;

        await monitor.StopAsync(CancellationToken.None);
        await dispatcher.StopAsync(CancellationToken.None);
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        return (untilIncident, recorded);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DrBot.sln")))
                return dir.FullName;
        throw new InvalidOperationException("run the benchmark from inside the repository (appsettings.json is read from its root)");
    }
}
