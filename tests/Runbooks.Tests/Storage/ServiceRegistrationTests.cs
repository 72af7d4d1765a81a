using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Runbooks.Tests.Storage;

public sealed class ServiceRegistrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-di-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_store_incidents_audit_and_simulated_infrastructure_resolve_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Store:LiteDb:Path"] = Path.Combine(_folder, "drbot.db"),
            ["DrBot:Infrastructure:SimulatedStatePath"] = Path.Combine(_folder, "world.json"),
            ["DrBot:Infrastructure:SimulatedDelayFactor"] = "0",
        }).Build();
        await using var provider = new ServiceCollection()
            .AddDrBotOptions(configuration)
            .AddLiteDbStore()
            .AddDrBotDomainServices()
            .AddSimulatedInfrastructure()
            .BuildServiceProvider();

        var store = provider.GetRequiredService<IDrBotStore>();
        Assert.Same(store, provider.GetRequiredService<IIncidentStore>());
        Assert.Same(store, provider.GetRequiredService<IAuditStore>());
        var opened = await provider.GetRequiredService<IncidentService>()
            .OpenAsync(new OpenIncidentRequest("P2", "Replication lag high", People.Actor.System("test")), CancellationToken.None);
        Assert.True(opened.Ok);
        Assert.True((await provider.GetRequiredService<AuditLog>().VerifyAsync(CancellationToken.None)).Valid);
        Assert.Equal(TimeSpan.FromMinutes(30), provider.GetRequiredService<SeverityPolicy>().ResponseTime("P2"));
        Assert.Equal("critical", provider.GetRequiredService<TierPolicy>().TierOf("core-api"));

        var promote = await provider.GetRequiredService<IDatabaseReplica>().PromoteAsync("west-us", CancellationToken.None);
        Assert.True(promote.Succeeded);
        Assert.NotNull(provider.GetRequiredService<ICacheReplica>());
        Assert.NotNull(provider.GetRequiredService<IClusterManager>());
        Assert.NotNull(provider.GetRequiredService<ITrafficRouter>());
        Assert.True((await provider.GetRequiredService<IHealthProbe>().ProbeAsync("east-us", CancellationToken.None)).Healthy);
        Assert.Equal(Path.Combine(_folder, "world.json"), provider.GetRequiredService<SimulatedWorld>().StatePath);
        Assert.True(File.Exists(Path.Combine(_folder, "world.json")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
