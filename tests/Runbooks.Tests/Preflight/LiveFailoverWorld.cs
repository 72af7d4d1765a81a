using Azure.Core;
using Azure.Core.Pipeline;
using DrBot.Runbooks.Tests.Infrastructure.Live;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Runbooks.Tests.Preflight;

/// <summary>
/// Both regions of a region failover on the live adapters, each part a real server: the PostgreSQL pair
/// (east-us primary, west-us streaming replica), a Kubernetes API per region (east: the harness's; west:
/// its own, holding core-api with a pod quota), Azure Resource Manager with a Traffic Manager endpoint per
/// region (east enabled), and health endpoints that answer 200.
/// </summary>
internal sealed class LiveFailoverWorld : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drbot-live-world-").FullName;

    public LiveFailoverWorld(PostgresPair pair, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        West.AddDeployment(LiveRunbookHarness.Namespace, "core-api", 1, ("app", "DATABASE_URL", LiveRunbookHarness.EastDatabaseUrl));
        West.PodQuotas[LiveRunbookHarness.Namespace] = (Hard: 10, Used: 1);
        Arm.AddEndpoint("east-us", enabled: true, weight: 100);
        Arm.AddEndpoint("west-us", enabled: false, weight: 0);
        WestKubeConfig = Path.Combine(_directory, "west.yaml");
        File.WriteAllText(WestKubeConfig, West.KubeConfigYaml("west"));
        var settings = new Dictionary<string, string?>
        {
            ["DrBot:Regions:west-us:Cluster:KubeConfigPath"] = WestKubeConfig,
            ["DrBot:Regions:west-us:Cluster:Context"] = "west",
            ["DrBot:Regions:west-us:Cluster:Namespace"] = LiveRunbookHarness.Namespace,
            ["DrBot:Regions:east-us:Traffic:EndpointResourceId"] = FakeAzureResourceManager.EndpointId("east-us"),
            ["DrBot:Regions:west-us:Traffic:EndpointResourceId"] = FakeAzureResourceManager.EndpointId("west-us"),
            ["DrBot:Regions:east-us:Health:Urls:0"] = $"core-api={Health.BaseUri}east/healthz",
            ["DrBot:Regions:west-us:Health:Urls:0"] = $"core-api={Health.BaseUri}west/healthz",
            ["DrBot:Azure:ArmEndpoint"] = Arm.Server.BaseUri.ToString(),
            ["DrBot:Azure:MaxRetries"] = "1",
            ["DrBot:Azure:RetryDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            settings[key] = value;
        Harness = new LiveRunbookHarness(pair, settings, services =>
        {
            services.AddSingleton<TokenCredential>(new FixedToken());
            services.AddSingleton<HttpPipelineTransport>(new HttpClientTransport(Arm.Server.TrustingHandler()));
        });
    }

    public LiveRunbookHarness Harness { get; }
    public FakeKubernetesApi West { get; } = new();
    public FakeAzureResourceManager Arm { get; } = new();
    public RecordingHttpServer Health { get; } = new(_ => new CannedResponse(200, "ok"));
    public string WestKubeConfig { get; }

    /// <summary>Every request any fake server received that was not a read.</summary>
    public IReadOnlyList<string> Writes() =>
        [.. new[] { ("east kubernetes", Harness.Kubernetes.Server), ("west kubernetes", West.Server), ("arm", Arm.Server), ("health", Health) }
            .SelectMany(s => s.Item2.Requests.Where(r => r.Method != "GET").Select(r => $"{s.Item1}: {r.Method} {r.Path}"))];

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await West.DisposeAsync();
        await Arm.DisposeAsync();
        await Health.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("test-arm-token", TimeProvider.System.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
