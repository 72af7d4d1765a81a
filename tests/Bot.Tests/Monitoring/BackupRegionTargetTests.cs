using DrBot.Bot.Monitoring;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Tests.Monitoring;

/// <summary>
/// north-europe is the strategy's backup region (data only): the health monitor probes it like any
/// region but never proposes it as the target of a failover, even when it is the only healthy one.
/// </summary>
public sealed class BackupRegionTargetTests
{
    [Fact]
    public async Task The_monitor_fails_over_to_the_failing_secondary_and_never_to_the_healthy_backup_region()
    {
        await using var north = await HealthEndpoint.StartAsync();
        await using var bot = await MonitoredBot.StartAsync(new Dictionary<string, string?>
        {
            ["DrBot:Regions:north-europe:Health:Urls:0"] = $"core-api={north.Url}",
        });
        Assert.Equal(RegionRoles.Backup, bot.Get<IOptions<DrBotOptions>>().Value.Regions["north-europe"].Role);
        Assert.Empty(await bot.CheckAsync());

        // Both serving regions fail; north-europe stays healthy (a target ranked by health alone would be it).
        bot.East.Failing = true;
        bot.West.Failing = true;
        var results = new List<HealthTriggerResult>();
        for (var i = 0; i < 3; i++)
            results.AddRange(await bot.CheckAsync());

        Assert.True(north.Requests >= 4, $"north-europe was probed {north.Requests} times");
        var east = Assert.Single(results, r => r.Trigger.Region == "east-us");
        Assert.True(east.ActiveRegion);
        Assert.NotNull(east.RunId);
        var run = await bot.SettledAsync(east.RunId!);
        Assert.Equal("west-us", run.Region);
        Assert.Equal("east-us", run.FromRegion);
        Assert.DoesNotContain(await bot.Store.ListRunsAsync(unfinishedOnly: false, default), r => r.Region == "north-europe");
        Assert.DoesNotContain(results, r => r.Trigger.Region == "north-europe");
    }

    [Fact]
    public async Task With_only_backup_regions_left_the_monitor_opens_the_P1_for_people_and_starts_no_failover()
    {
        await using var north = await HealthEndpoint.StartAsync();
        await using var bot = await MonitoredBot.StartAsync(new Dictionary<string, string?>
        {
            ["DrBot:Regions:west-us:Role"] = RegionRoles.Backup,
            ["DrBot:Regions:north-europe:Health:Urls:0"] = $"core-api={north.Url}",
        });
        bot.East.Failing = true;
        var results = new List<HealthTriggerResult>();
        for (var i = 0; i < 3; i++)
            results.AddRange(await bot.CheckAsync());

        var east = Assert.Single(results);
        Assert.Equal("east-us", east.Trigger.Region);
        Assert.NotNull(east.IncidentId);
        Assert.Null(east.RunId);
        Assert.Contains("no other region to fail over to", east.Outcome, StringComparison.Ordinal);
        Assert.Equal("P1", Assert.Single(await bot.Store.ListIncidentsAsync(openOnly: false, default)).Severity);
        Assert.Empty(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
    }
}
