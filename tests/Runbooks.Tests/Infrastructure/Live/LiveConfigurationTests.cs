using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Tests.Infrastructure.Postgres;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Infrastructure.Live;

/// <summary>Live configuration is what acts: a missing key or a 404 fails at once, naming the key to check.</summary>
[Collection(LiveServersCollection.Name)]
public sealed class LiveConfigurationTests(LiveServersFixture servers)
{
    [Fact]
    public async Task A_target_region_without_a_cluster_fails_its_pre_check_naming_the_keys_before_anything_changes()
    {
        await using var live = new LiveRunbookHarness(servers.Shared);

        var run = await live.StartAsync("region-failover", "west-us");

        var check = run.Steps[0].Checks.Single(c => c.Id == "target-configured");
        Assert.False(check.Passed);
        Assert.StartsWith("no cluster configured for west-us (DrBot:Regions:west-us:Cluster:Namespace", check.Detail, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Pending, run.Step("promote-database")!.Status);
        Assert.False((await live.Database.GetStatusAsync("west-us", default)).IsPrimary);
        Assert.Empty(live.Kubernetes.Server.Requests);
    }

    [Fact]
    public async Task A_deployment_the_cluster_does_not_have_fails_once_naming_the_keys_not_four_times()
    {
        var pair = await servers.NewPostgresPairAsync();
        await using var live = new LiveRunbookHarness(pair, new Dictionary<string, string?> { ["DrBot:Regions:east-us:Cluster:ApplicationDeployment"] = "billing-api" });
        pair.Primary.Kill();

        var run = await live.StartAsync("database-failover", "west-us");
        run = await live.DecideAsync(run, "bob");

        // Past the promotion: the run stops at the point-of-no-return gate instead of rolling back.
        Assert.True(PointOfNoReturn.IsGate(run, "update-connection-strings"), run.Step("update-connection-strings")!.Detail);
        var detail = run.Step("update-connection-strings")!.Detail!;
        Assert.Contains("not found (404)", detail, StringComparison.Ordinal);
        Assert.Contains("DrBot:Regions:east-us:Cluster:Namespace, Cluster:ApplicationDeployment", detail, StringComparison.Ordinal);
        Assert.Single(live.Kubernetes.Server.Requests, r => r.Path.EndsWith("/deployments/billing-api", StringComparison.Ordinal));
        Assert.Equal(1, run.Step("update-connection-strings")!.Attempts);
    }
}
