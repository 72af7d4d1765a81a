using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Storage;

[Collection(PostgresStoreCollection.Name)]
public sealed class PostgresRegistrationTests(PostgresServerFixture fixture)
{
    [Fact]
    public async Task AddPostgresStore_registers_the_shared_store_and_migrates_it_when_the_host_starts()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Store:Provider"] = "Postgres",
            ["DrBot:Store:Postgres:ConnectionString"] = await fixture.Postgres.NewSchemaAsync(),
        }).Build();
        var services = new ServiceCollection().AddDrBotOptions(configuration);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        await using var provider = services.AddPostgresStore().AddDrBotDomainServices().BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var store = provider.GetRequiredService<IDrBotStore>();
        Assert.IsType<PostgresStore>(store);
        Assert.Same(store, provider.GetRequiredService<IRunStore>());
        Assert.Equal(0, await provider.GetRequiredService<PostgresStore>().MigrateAsync(CancellationToken.None));
        var opened = await provider.GetRequiredService<IncidentService>()
            .OpenAsync(new OpenIncidentRequest("P2", "Replication lag high", People.Actor.System("test")), CancellationToken.None);
        Assert.True(opened.Ok, opened.Message);
        Assert.True((await provider.GetRequiredService<AuditLog>().VerifyAsync(CancellationToken.None)).Valid);
    }
}
