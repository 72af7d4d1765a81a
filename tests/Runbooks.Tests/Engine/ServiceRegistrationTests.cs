using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Engine;

public sealed class ServiceRegistrationTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"drbot-di-{Guid.NewGuid():N}.db");

    private ServiceProvider Build(Action<DrBotOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddOptions<DrBotOptions>().Configure(o =>
        {
            o.Infrastructure.SimulatedDelayFactor = 0;
            o.Infrastructure.SimulatedStatePath = "";
            o.Regions["east-us"] = new RegionOptions { Role = "primary" };
            o.Regions["west-us"] = new RegionOptions { Role = "secondary" };
            configure(o);
        });
        services.AddSingleton<IDrBotStore>(sp => new LiteDbStore(_path, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRunbookNotifier, RecordingNotifier>();
        services.AddSimulatedInfrastructure();
        services.AddRunbookEngine();
        services.AddRunbookEngine();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void The_engine_resolves_with_every_built_in_executor_and_the_system_clock()
    {
        using var provider = Build(_ => { });

        Assert.NotNull(provider.GetRequiredService<RunbookEngine>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(StepExecutorRegistration.BuiltInNames.Order(StringComparer.Ordinal), provider.GetRequiredService<StepExecutorRegistry>().Names);
    }

    [Fact]
    public void A_bad_configured_runbook_fails_options_validation_with_the_key_named()
    {
        using var provider = Build(o => o.Runbooks["my-runbook"] = new RunbookDefinitionOptions
        {
            Steps = [new() { Id = "go", Kind = "action", Executor = "db.promote" }, new() { Id = "approve", Kind = "gate", Role = "leed" }],
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DrBotOptions>>().Value);

        Assert.Contains("DrBot:Runbooks:my-runbook:Steps:1:Role: unknown role 'leed'; valid: oncall, lead, cto, engineering-lead, primary-team", error.Message);
    }

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(_path + ".lock");
    }
}
