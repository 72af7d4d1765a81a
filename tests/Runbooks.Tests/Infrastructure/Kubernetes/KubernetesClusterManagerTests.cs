using System.Text.Json.Nodes;
using DrBot.Runbooks.Infrastructure.Kubernetes;
using DrBot.Runbooks.Tests.Resilience;
using DrBot.Runbooks.Tests.Infrastructure.Servers;

namespace DrBot.Runbooks.Tests.Infrastructure.Kubernetes;

[Collection(HttpFakesCollection.Name)]
public sealed class KubernetesClusterManagerTests : IAsyncLifetime
{
    private const string Ns = "policycortex";
    private readonly FakeKubernetesApi _api = new();
    private readonly string _kubeconfig = Path.Combine(Path.GetTempPath(), $"drbot-kube-{Guid.NewGuid():N}.yaml");
    private KubernetesClusterManager _cluster = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_kubeconfig, _api.KubeConfigYaml("west"));
        _api.AddDeployment(Ns, "core-api", 2, ("app", "DATABASE_URL", "Host=east-db"), ("sidecar", null, null));
        _api.AddDeployment(Ns, "auth-service", 2);
        _api.AddDeployment(Ns, "worker", 3);
        var regions = LiveTestOptions.Regions(r => r["west-us"] = new() { Cluster = { KubeConfigPath = _kubeconfig, Context = "west" } });
        var timeouts = LiveTestOptions.Timeouts(o =>
        {
            o.KubernetesRetryDelay = TimeSpan.FromMilliseconds(10);
            o.RolloutPollInterval = TimeSpan.FromMilliseconds(30);
        });
        _cluster = new KubernetesClusterManager(new KubernetesClients(regions, new KubeConfigCache(), timeouts), new KubeConfigCache(), timeouts, TimeProvider.System);
    }

    [Fact]
    public async Task Scaling_a_namespace_patches_the_scale_subresource_of_each_deployment_not_yet_at_the_target()
    {
        var result = await _cluster.ScaleAsync("west-us", Ns, 3, null, default);
        var again = await _cluster.ScaleAsync("west-us", Ns, 3, null, default);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Contains("worker already at 3", result.Detail, StringComparison.Ordinal);
        var patches = _api.Server.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(
            [$"/apis/apps/v1/namespaces/{Ns}/deployments/auth-service/scale", $"/apis/apps/v1/namespaces/{Ns}/deployments/core-api/scale"],
            patches.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.All(patches, p =>
        {
            Assert.StartsWith("application/merge-patch+json", p.Headers["Content-Type"], StringComparison.Ordinal);
            Assert.Equal(3, JsonNode.Parse(p.Body)!["spec"]!["replicas"]!.GetValue<int>());
            Assert.Equal("Bearer test-token", p.Headers["Authorization"]);
        });
        Assert.True(again.AlreadyDone, again.Detail);
        Assert.Equal(2, _api.Server.Requests.Count(r => r.Method == "PATCH"));
    }

    [Fact]
    public async Task Scaling_a_list_that_names_a_missing_deployment_changes_nothing_and_names_it()
    {
        var result = await _cluster.ScaleAsync("west-us", Ns, 5, ["core-api", "billing"], default);

        Assert.False(result.Succeeded);
        Assert.False(result.Transient, result.Detail);
        Assert.Contains("billing", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task The_connection_string_switch_patches_only_the_container_that_has_the_variable_and_does_not_echo_the_value()
    {
        var result = await _cluster.SetEnvironmentAsync("west-us", Ns, "core-api", "DATABASE_URL", "Host=west-db;Password=pw-123", default);
        var value = await _cluster.GetEnvironmentAsync("west-us", Ns, "core-api", "DATABASE_URL", default);
        var again = await _cluster.SetEnvironmentAsync("west-us", Ns, "core-api", "DATABASE_URL", "Host=west-db;Password=pw-123", default);

        Assert.True(result.Succeeded, result.Detail);
        Assert.DoesNotContain("pw-123", result.Detail, StringComparison.Ordinal);
        Assert.Equal("Host=west-db;Password=pw-123", value);
        var patch = Assert.Single(_api.Server.Requests, r => r.Method == "PATCH");
        Assert.Equal($"/apis/apps/v1/namespaces/{Ns}/deployments/core-api", patch.Path);
        Assert.StartsWith("application/strategic-merge-patch+json", patch.Headers["Content-Type"], StringComparison.Ordinal);
        var containers = JsonNode.Parse(patch.Body)!["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal("app", Assert.Single(containers)!["name"]!.GetValue<string>());
        Assert.Null(_api.Deployment(Ns, "core-api")["spec"]!["template"]!["spec"]!["containers"]![1]!["env"]);
        Assert.True(again.AlreadyDone);
    }

    [Fact]
    public async Task A_rollout_wait_ends_when_every_deployment_observed_its_spec_and_is_ready_and_times_out_naming_a_stuck_one()
    {
        await _cluster.ScaleAsync("west-us", Ns, 4, null, default);
        var ready = await _cluster.WaitForRolloutAsync("west-us", Ns, TimeSpan.FromSeconds(10), default);
        Assert.True(ready.Succeeded, ready.Detail);
        Assert.True(_api.Server.Requests.Count(r => r.Method == "GET") >= 3, "the wait must have polled until the controller caught up");
        Assert.All(await _cluster.GetDeploymentsAsync("west-us", Ns, default), d => Assert.Equal(4, d.ReadyReplicas));

        _api.StuckDeployments.Add("worker");
        await _cluster.ScaleAsync("west-us", Ns, 1, ["worker"], default);
        // Long enough for the first answer even on a loaded machine; the worker never becomes ready.
        var stuck = await _cluster.WaitForRolloutAsync("west-us", Ns, TimeSpan.FromSeconds(2), default);
        Assert.False(stuck.Succeeded);
        Assert.True(stuck.Transient);
        Assert.Contains("worker 0/1 ready", stuck.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_and_unavailability_are_retried_while_forbidden_and_not_found_fail_clearly()
    {
        _api.NextFailures.Enqueue(429);
        _api.NextFailures.Enqueue(503);
        var retried = await _cluster.ScaleAsync("west-us", Ns, 2, ["worker"], default);
        Assert.True(retried.Succeeded, retried.Detail);
        Assert.Equal(3, _api.Server.Requests.Count(r => r.Method == "GET"));

        _api.ForbiddenNamespaces.Add("kube-system");
        var forbidden = await _cluster.ScaleAsync("west-us", "kube-system", 2, null, default);
        Assert.False(forbidden.Transient);
        Assert.Contains("403", forbidden.Detail, StringComparison.Ordinal);
        Assert.Contains("cannot get resource \"deployments\"", forbidden.Detail, StringComparison.Ordinal);

        var missing = await _cluster.SetEnvironmentAsync("west-us", Ns, "billing", "X", "1", default);
        Assert.False(missing.Transient);
        Assert.Contains("not found", missing.Detail, StringComparison.Ordinal);

        for (var i = 0; i < 10; i++) _api.NextFailures.Enqueue(503);
        var down = await _cluster.ScaleAsync("west-us", Ns, 2, null, default);
        Assert.True(down.Transient, down.Detail);
    }

    [Fact]
    public async Task Retries_wait_on_the_given_clock_doubling_from_the_configured_delay_or_as_long_as_the_server_asks()
    {
        var clock = new WaitRecordingClock();
        var regions = LiveTestOptions.Regions(r => r["west-us"] = new() { Cluster = { KubeConfigPath = _kubeconfig, Context = "west" } });
        var timeouts = LiveTestOptions.Timeouts(o => o.KubernetesRetryDelay = TimeSpan.FromSeconds(1));
        var cluster = new KubernetesClusterManager(new KubernetesClients(regions, new KubeConfigCache(), timeouts), new KubeConfigCache(), timeouts, clock);

        _api.RetryAfter = null;
        _api.NextFailures.Enqueue(503);
        _api.NextFailures.Enqueue(503);
        var backedOff = await clock.DriveAsync(() => cluster.GetDeploymentsAsync("west-us", Ns, default));
        var waitsAfter503 = clock.Waits.ToList();

        _api.RetryAfter = "7";
        _api.NextFailures.Enqueue(429);
        var throttled = await clock.DriveAsync(() => cluster.GetDeploymentsAsync("west-us", Ns, default));

        _api.ForbiddenNamespaces.Add("kube-system");
        var forbidden = await clock.DriveAsync(() => cluster.ScaleAsync("west-us", "kube-system", 2, null, default));

        Assert.Equal(3, backedOff.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], waitsAfter503);
        Assert.Equal(3, throttled.Count);
        Assert.False(forbidden.Transient);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7)], clock.Waits);
    }

    [Fact]
    public async Task Credentials_from_a_kubeconfig_are_checked_against_the_api_server()
    {
        var result = await _cluster.GetCredentialsAsync("west-us", default);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Contains("v1.30.2", result.Detail, StringComparison.Ordinal);
        Assert.Contains("context west", result.Detail, StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        File.Delete(_kubeconfig);
    }
}
