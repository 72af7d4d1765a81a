using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Health;
using DrBot.Runbooks.Infrastructure.Kubernetes;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Infrastructure.Redis;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Runbooks.Tests.Infrastructure.Live;

public sealed class AddLiveInfrastructureTests
{
    [Fact]
    public void The_live_adapters_replace_whatever_was_registered_and_read_their_options_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Live:ProbeTimeout"] = "00:00:03",
            ["DrBot:Azure:ArmEndpoint"] = "https://management.usgovcloudapi.net/",
        }).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<ICacheReplica>(new NotLive());
        services.AddOptions<DrBotOptions>();
        services.AddLiveInfrastructure();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<RegionRoutedDatabaseReplica>(provider.GetRequiredService<IDatabaseReplica>());
        Assert.IsType<RedisCacheReplica>(provider.GetRequiredService<ICacheReplica>());
        Assert.IsType<KubernetesClusterManager>(provider.GetRequiredService<IClusterManager>());
        Assert.IsType<DrBot.Runbooks.Infrastructure.Azure.AzureTrafficManagerRouter>(provider.GetRequiredService<ITrafficRouter>());
        Assert.IsType<HttpHealthProbe>(provider.GetRequiredService<IHealthProbe>());
        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<LiveInfrastructureOptions>>().Value.ProbeTimeout);
        Assert.Equal("management.usgovcloudapi.net",
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<DrBot.Runbooks.Infrastructure.Azure.AzureArmOptions>>().Value.ArmEndpoint.Host);
    }

    private sealed class NotLive : ICacheReplica
    {
        public Task<CacheStatus> GetStatusAsync(string region, CancellationToken cancellationToken) => throw new InvalidOperationException("simulated");
        public Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken) => throw new InvalidOperationException("simulated");
        public Task<InfraActionResult> FollowAsync(string region, string masterRegion, CancellationToken cancellationToken) => throw new InvalidOperationException("simulated");
    }
}
