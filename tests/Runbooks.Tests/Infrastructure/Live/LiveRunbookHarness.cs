using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using DrBot.Runbooks.Tests.Engine;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Infrastructure.Live;

/// <summary>
/// The runbook engine in Live mode, wired as the bot wires it (configuration bound by
/// AddDrBotOptions, adapters by AddLiveInfrastructure, a LiteDB store): east-us is the primary of a
/// real PostgreSQL pair and its Kubernetes cluster is a <see cref="FakeKubernetesApi"/> holding
/// core-api; west-us is the streaming replica. Real clock: the adapters' timeouts are real.
/// </summary>
internal sealed class LiveRunbookHarness : IAsyncDisposable
{
    /// <summary>Not the simulated demo's namespace: proves the configured one is what the adapters act on.</summary>
    public const string Namespace = "ops";
    public const string EastDatabaseUrl = "postgresql://policycortex-db-east-us.postgres.database.azure.com/policycortex";

    private readonly string _directory = Directory.CreateTempSubdirectory("drbot-live-engine-").FullName;
    private readonly ServiceProvider _services;

    /// <param name="configure">Services registered before the live adapters (an ARM token credential and transport, say).</param>
    public LiveRunbookHarness(PostgresPair pair, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        Pair = pair;
        Kubernetes.AddDeployment(Namespace, "core-api", 2, ("app", "DATABASE_URL", EastDatabaseUrl));
        var kubeconfig = Path.Combine(_directory, "kubeconfig.yaml");
        File.WriteAllText(kubeconfig, Kubernetes.KubeConfigYaml("east"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Infrastructure:Mode"] = "Live",
            ["DrBot:Regions:east-us:Role"] = "primary",
            ["DrBot:Regions:east-us:Database:ConnectionString"] = pair.Primary.ConnectionString,
            ["DrBot:Regions:east-us:Cluster:KubeConfigPath"] = kubeconfig,
            ["DrBot:Regions:east-us:Cluster:Context"] = "east",
            ["DrBot:Regions:east-us:Cluster:Namespace"] = Namespace,
            ["DrBot:Regions:east-us:Database:ApplicationUrl"] = ApplicationUrl(pair.Primary),
            ["DrBot:Regions:west-us:Database:ApplicationUrl"] = ApplicationUrl(pair.Replica),
            ["DrBot:Regions:west-us:Role"] = "secondary",
            ["DrBot:Regions:west-us:Database:ConnectionString"] = pair.Replica.ConnectionString,
            ["DrBot:People:alice:Roles:0"] = "oncall",
            ["DrBot:People:bob:Roles:0"] = "lead",
            ["DrBot:People:carol:Roles:0"] = "lead",
            ["DrBot:Live:StatusTimeout"] = "00:00:05",
            ["DrBot:Live:PromoteTimeout"] = "00:01:00",
            ["DrBot:Live:KubernetesRetryDelay"] = "00:00:00.010",
            ["DrBot:Live:RolloutPollInterval"] = "00:00:00.030",
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddDrBotOptions(configuration);
        services.AddSingleton(_ => new LiteDbStore(Path.Combine(_directory, "drbot.db"), TimeProvider.System));
        services.AddSingleton<IDrBotStore>(sp => sp.GetRequiredService<LiteDbStore>());
        configure?.Invoke(services);
        services.AddLiveInfrastructure();
        services.AddSingleton<IRunbookNotifier>(Notifier);
        services.Configure<RunbookEngineOptions>(o => o.RetryBaseDelay = TimeSpan.FromMilliseconds(100));
        services.AddRunbookEngine();
        _services = services.BuildServiceProvider();
    }

    public PostgresPair Pair { get; }

    /// <summary>The URL the application is given for a server (the libpq form).</summary>
    public static string ApplicationUrl(PostgresServer server) => $"postgresql://postgres@127.0.0.1:{server.Port}/postgres";
    public FakeKubernetesApi Kubernetes { get; } = new();
    public RecordingNotifier Notifier { get; } = new();
    public RunbookEngine Engine => _services.GetRequiredService<RunbookEngine>();
    public IDatabaseReplica Database => _services.GetRequiredService<IDatabaseReplica>();
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task<RunRecord> StartAsync(string runbook, string region, string by = "alice")
    {
        var started = await Engine.StartAsync(new StartRunRequest(runbook, region, EngineHarness.Person(by), "INC-1"), CancellationToken.None);
        Assert.True(started.Started, started.Message);
        return await Engine.AdvanceAsync(started.Run!.Id, CancellationToken.None);
    }

    /// <summary>Decides the gate the run waits at, then lets the run carry on to its next stop.</summary>
    public async Task<RunRecord> DecideAsync(RunRecord run, string who, bool approve = true)
    {
        var decision = await Engine.DecideAsync(new GateDecisionRequest(run.Id, run.State, EngineHarness.Person(who), approve, approve ? "go" : "no", null), CancellationToken.None);
        Assert.True(decision.Applied, decision.Message);
        return await Engine.AdvanceAsync(run.Id, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Kubernetes.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
