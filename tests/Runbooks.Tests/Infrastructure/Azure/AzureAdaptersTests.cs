using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Azure;
using DrBot.Runbooks.Infrastructure.Kubernetes;
using DrBot.Runbooks.Infrastructure.Postgres;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Infrastructure.Azure;

[Collection(HttpFakesCollection.Name)]
public sealed class AzureAdaptersTests : IAsyncLifetime
{
    private readonly FakeAzureResourceManager _arm = new();
    private IOptionsMonitor<DrBotOptions> _regions = null!;
    private ArmRestClient _client = null!;

    public Task InitializeAsync()
    {
        _arm.AddPostgres("pg-east", "Primary");
        _arm.AddPostgres("pg-west", "AsyncReplica");
        _arm.AddEndpoint("east-us", enabled: true, weight: 100);
        _arm.AddEndpoint("west-us", enabled: false, weight: 50);
        _regions = LiveTestOptions.Regions(r =>
        {
            r["east-us"] = new() { Database = { AzureResourceId = FakeAzureResourceManager.PostgresId("pg-east") }, Traffic = { EndpointResourceId = FakeAzureResourceManager.EndpointId("east-us") } };
            r["west-us"] = new() { Database = { AzureResourceId = FakeAzureResourceManager.PostgresId("pg-west") }, Traffic = { EndpointResourceId = FakeAzureResourceManager.EndpointId("west-us") } };
            r["gone"] = new() { Database = { AzureResourceId = FakeAzureResourceManager.PostgresId("pg-gone") } };
        });
        var options = new AzureArmOptions
        {
            ArmEndpoint = _arm.Server.BaseUri,
            MaxRetries = 3,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            PollInterval = TimeSpan.FromMilliseconds(10),
        };
        var armClient = ArmRestClient.CreateClient(options, new FixedToken(), new HttpClientTransport(_arm.Server.TrustingHandler()));
        _client = new ArmRestClient(armClient, Options.Create(options), TimeProvider.System);
        return Task.CompletedTask;
    }

    private AzurePostgresReplicaPromoter Postgres()
    {
        var connections = new PostgresConnections(_regions);
        var sql = new PostgresDatabaseReplica(connections, LiveTestOptions.Timeouts(), TimeProvider.System, NullLogger<PostgresDatabaseReplica>.Instance);
        return new AzurePostgresReplicaPromoter(_client, _regions, Options.Create(new AzureArmOptions()), sql, connections);
    }

    [Fact]
    public async Task A_flexible_server_replica_is_promoted_with_a_patch_followed_to_the_end_of_its_long_running_operation()
    {
        var db = Postgres();

        var promoted = await db.PromoteAsync("west-us", default);
        var again = await db.PromoteAsync("west-us", default);

        Assert.True(promoted.Succeeded, promoted.Detail);
        Assert.False(promoted.AlreadyDone);
        var patch = Assert.Single(_arm.Server.Requests, r => r.Method == "PATCH");
        Assert.Equal(FakeAzureResourceManager.PostgresId("pg-west"), patch.Path);
        Assert.Equal(AzurePostgresReplicaPromoter.ApiVersion, patch.QueryValue("api-version"));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"properties":{"replica":{"promoteMode":"standalone","promoteOption":"planned"}}}"""),
            JsonNode.Parse(patch.Body)), patch.Body);
        Assert.Equal(3, _arm.Server.Requests.Count(r => r.Path.Contains("/azureAsyncOperation/", StringComparison.Ordinal)));
        Assert.All(_arm.Server.Requests, r => Assert.Equal("Bearer test-arm-token", r.Headers["Authorization"]));
        Assert.Equal("Primary", _arm.Resource(FakeAzureResourceManager.PostgresId("pg-west"))["properties"]!["replica"]!["role"]!.GetValue<string>());
        Assert.True(again.AlreadyDone, again.Detail);
        Assert.True((await db.GetStatusAsync("west-us", default)).IsPrimary);
        Assert.Single(_arm.Server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Traffic_manager_endpoints_are_read_and_switched_with_a_patch_of_the_endpoint_status()
    {
        var router = new AzureTrafficManagerRouter(_client, _regions);

        var before = await router.GetEndpointsAsync(default);
        var disabled = await router.SetEndpointAsync("east-us", enabled: false, default);
        var enabled = await router.SetEndpointAsync("west-us", enabled: true, default);
        var again = await router.SetEndpointAsync("west-us", enabled: true, default);

        Assert.Equal([new TrafficEndpoint("east-us", true, 100), new TrafficEndpoint("west-us", false, 50)], before);
        Assert.True(disabled.Succeeded && enabled.Succeeded, disabled.Detail + enabled.Detail);
        Assert.True(again.AlreadyDone);
        var patches = _arm.Server.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal([FakeAzureResourceManager.EndpointId("east-us"), FakeAzureResourceManager.EndpointId("west-us")], patches.Select(p => p.Path));
        Assert.All(patches, p => Assert.Equal(AzureTrafficManagerRouter.ApiVersion, p.QueryValue("api-version")));
        Assert.Equal("""{"properties":{"endpointStatus":"Disabled"}}""", patches[0].Body);
        Assert.Equal([new TrafficEndpoint("east-us", false, 100), new TrafficEndpoint("west-us", true, 50)], await router.GetEndpointsAsync(default));
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_and_forbidden_or_missing_resources_fail_permanently_with_the_reason()
    {
        var router = new AzureTrafficManagerRouter(_client, _regions);
        _arm.NextFailures.Enqueue(429);
        _arm.NextFailures.Enqueue(500);
        var retried = await router.SetEndpointAsync("east-us", enabled: false, default);
        Assert.True(retried.Succeeded, retried.Detail);
        Assert.Equal(4, _arm.Server.Requests.Count(r => r.Method == "GET"));

        _arm.Forbidden.Add(FakeAzureResourceManager.EndpointId("west-us"));
        var forbidden = await router.SetEndpointAsync("west-us", enabled: true, default);
        Assert.False(forbidden.Transient);
        Assert.Contains("403 AuthorizationFailed", forbidden.Detail, StringComparison.Ordinal);

        var missing = await Postgres().PromoteAsync("gone", default);
        Assert.False(missing.Transient);
        Assert.Contains("404 ResourceNotFound", missing.Detail, StringComparison.Ordinal);

        for (var i = 0; i < 8; i++) _arm.NextFailures.Enqueue(503);
        var down = await router.SetEndpointAsync("east-us", enabled: true, default);
        Assert.True(down.Transient, down.Detail);
    }

    [Fact]
    public async Task Aks_user_credentials_are_fetched_through_arm_and_then_used_to_reach_the_cluster()
    {
        await using var kube = new FakeKubernetesApi();
        kube.AddDeployment("policycortex", "core-api", 2);
        _arm.AddAks("aks-west", kube.KubeConfigYaml());
        var regions = LiveTestOptions.Regions(r => r["west-us"] = new() { Cluster = { AzureResourceId = FakeAzureResourceManager.AksId("aks-west") } });
        var cache = new KubeConfigCache();
        var cluster = new KubernetesClusterManager(new KubernetesClients(regions, cache, LiveTestOptions.Timeouts()), cache, LiveTestOptions.Timeouts(), TimeProvider.System, () => new AksCredentialSource(_client));

        var result = await cluster.GetCredentialsAsync("west-us", default);
        var deployments = await cluster.GetDeploymentsAsync("west-us", "policycortex", default);

        Assert.True(result.Succeeded, result.Detail);
        var post = Assert.Single(_arm.Server.Requests);
        Assert.Equal("POST", post.Method);
        Assert.Equal(FakeAzureResourceManager.AksId("aks-west") + "/listClusterUserCredential", post.Path);
        Assert.Equal(AksCredentialSource.ApiVersion, post.QueryValue("api-version"));
        Assert.DoesNotContain("test-token", result.Detail, StringComparison.Ordinal);
        Assert.Equal([new DeploymentStatus("core-api", 2, 2)], deployments);
    }

    [Fact]
    public void An_arm_endpoint_without_tls_is_refused_at_start()
    {
        var error = Assert.Throws<ArgumentException>(() => ArmRestClient.CreateClient(new AzureArmOptions { ArmEndpoint = new Uri("http://127.0.0.1:1/") }, new FixedToken()));
        Assert.Contains("DrBot:Azure:ArmEndpoint must be https", error.Message, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await _arm.DisposeAsync();

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("test-arm-token", TimeProvider.System.GetUtcNow().AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
