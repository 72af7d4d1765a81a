using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Tests.Engine;

namespace DrBot.Runbooks.Tests.Policy;

public sealed class RegionRulesTests
{
    [Theory]
    [InlineData("region-failover")]
    [InlineData("planned-switchover")]
    [InlineData("application-failover")]
    [InlineData("failback")]
    public async Task A_backup_region_is_never_the_target_of_an_application_runbook(string runbook)
    {
        using var h = new EngineHarness();

        var started = await h.Engine.StartAsync(new StartRunRequest(runbook, "north-europe", EngineHarness.Person("alice"), null), CancellationToken.None);

        Assert.False(started.Started);
        Assert.Contains("north-europe is a backup region", started.Message, StringComparison.Ordinal);
        Assert.EndsWith("Valid targets: east-us, west-us.", started.Message, StringComparison.Ordinal);
        Assert.Empty(await h.Store.ListRunsAsync(unfinishedOnly: false, CancellationToken.None));
    }

    [Fact]
    public async Task The_database_alone_may_still_fail_over_to_the_backup_region()
    {
        using var h = new EngineHarness();
        var started = await h.Engine.StartAsync(new StartRunRequest("database-failover", "north-europe", EngineHarness.Person("alice"), null), CancellationToken.None);
        Assert.True(started.Started, started.Message);
    }
}
