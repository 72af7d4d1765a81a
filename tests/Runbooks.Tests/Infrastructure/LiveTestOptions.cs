using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Infrastructure;

/// <summary>Configuration for the live-adapter tests, as the bot would bind it.</summary>
internal static class LiveTestOptions
{
    public static IOptionsMonitor<DrBotOptions> Regions(Action<Dictionary<string, RegionOptions>> configure)
    {
        var options = new DrBotOptions();
        configure(options.Regions);
        return new Fixed<DrBotOptions>(options);
    }

    public static IOptions<LiveInfrastructureOptions> Timeouts(Action<LiveInfrastructureOptions>? configure = null)
    {
        var o = new LiveInfrastructureOptions { StatusTimeout = TimeSpan.FromSeconds(5), PromoteTimeout = TimeSpan.FromSeconds(60) };
        configure?.Invoke(o);
        return Options.Create(o);
    }

    private sealed class Fixed<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;
        public T Get(string? name) => value;
        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
