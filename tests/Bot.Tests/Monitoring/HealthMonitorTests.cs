using DrBot.Bot.Monitoring;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Monitoring;

/// <summary>
/// The health monitor against real HTTP health endpoints on loopback: the strategy's triggers, the
/// P1 incident with its time to detect, and the region failover started up to its approval gate.
/// </summary>
public sealed class HealthMonitorTests
{
    [Fact]
    public async Task After_exactly_three_failed_probes_a_P1_incident_opens_and_the_region_failover_waits_at_its_gate_with_the_pre_check_results()
    {
        await using var bot = await MonitoredBot.StartAsync();
        Assert.Empty(await bot.CheckAsync());
        Assert.Empty(await bot.CheckAsync());

        bot.East.Failing = true;
        var failingSince = bot.Time.GetUtcNow();
        Assert.Empty(await bot.CheckAsync());
        Assert.Empty(await bot.CheckAsync());
        Assert.Empty(await bot.Store.ListIncidentsAsync(openOnly: false, default));
        Assert.Equal(4, bot.East.Requests); // two healthy probes, two failed ones: nothing yet
        var detectedAt = bot.Time.GetUtcNow();
        var third = Assert.Single(await bot.CheckAsync());

        // The third failed probe tripped it; the sixth request is the failover's own primary-down pre-check.
        Assert.Equal(6, bot.East.Requests);
        Assert.Equal(HealthTrigger.RegionUnavailable, third.Trigger.Rule);
        Assert.True(third.ActiveRegion);
        var incident = Assert.Single(await bot.Store.ListIncidentsAsync(openOnly: false, default));
        Assert.Equal(third.IncidentId, incident.Id);
        Assert.Equal("P1", incident.Severity);
        Assert.Equal("east-us", incident.Region);
        Assert.Equal(failingSince, incident.FailureStartedAt);
        Assert.Equal(detectedAt, incident.DetectedAt);
        Assert.Contains(incident.Timeline, e => e.Kind == "detected" && e.Text.Contains("time to detect 20 s", StringComparison.Ordinal));

        var run = await WaitForGateAsync(bot, third.RunId!);
        Assert.Equal("region-failover", run.Runbook);
        Assert.Equal("west-us", run.Region);
        Assert.Equal("east-us", run.FromRegion);
        Assert.Equal("drbot", run.StartedBy);
        Assert.Contains(run.Id, incident.RunIds);
        var checks = run.Step("pre-failover-checks")!;
        Assert.Equal(StepStatus.Succeeded, checks.Status);
        Assert.Contains(checks.Checks, c => c.Id == "primary-down" && c.Passed && c.Detail.Contains("1 of 1 health checks fail", StringComparison.Ordinal));
        Assert.Contains(checks.Checks, c => c.Id == "secondary-healthy" && c.Passed);
        Assert.Contains(checks.Checks, c => c.Id == "replication-lag" && c.Passed);
        Assert.Equal(StepStatus.Pending, run.Step("promote-database")!.Status);

        // The run is saved at its gate before its observers post: wait for the page to the approvers.
        var page = await WaitForPostAsync(bot, $"gate:{run.Id}:approve-failover");
        var posts = await LocalPostsAsync(bot);
        Assert.Contains(posts, m => m.PostKey == $"alert:{HealthMonitor.GroupKey("east-us")}" && m.Payload.Contains("RegionDown", StringComparison.Ordinal));
        var card = posts.Last(m => m.PostKey == $"run:{run.Id}");
        Assert.Contains("Approve", card.Payload, StringComparison.Ordinal);
        Assert.Contains("is down", card.Payload, StringComparison.Ordinal);
        Assert.Contains("Bob", page.Payload, StringComparison.Ordinal);
        Assert.Contains("Carol", page.Payload, StringComparison.Ordinal);

        // Started by the bot, not a person: four-eyes lets any lead decide.
        var approval = await bot.Get<RunbookEngine>().DecideAsync(new GateDecisionRequest(run.Id, "approve-failover", InProcessBot.Person("bob"), true, "east-us is down", null), default);
        Assert.True(approval.Applied, approval.Message);
    }

    [Fact]
    public async Task One_failed_probe_followed_by_recovery_opens_nothing()
    {
        await using var bot = await MonitoredBot.StartAsync();
        Assert.Empty(await bot.CheckAsync());
        bot.East.Failing = true;
        Assert.Empty(await bot.CheckAsync());
        Assert.Empty(await bot.CheckAsync());
        bot.East.Failing = false;
        for (var i = 0; i < 20; i++)
            Assert.Empty(await bot.CheckAsync());

        Assert.Equal(23, bot.East.Requests);
        Assert.Empty(await bot.Store.ListIncidentsAsync(openOnly: false, default));
        Assert.Empty(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
        Assert.DoesNotContain(await LocalPostsAsync(bot), m => m.PostKey.StartsWith("alert:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_region_that_fails_recovers_and_fails_again_while_its_incident_is_open_gets_one_incident_and_one_failover_run()
    {
        await using var bot = await MonitoredBot.StartAsync();
        var results = new List<HealthTriggerResult>();
        foreach (var failing in new[] { true, true, true, false, false, false, true, true, true, false, true, true, true })
        {
            bot.East.Failing = failing;
            results.AddRange(await bot.CheckAsync());
        }

        Assert.Equal(2, results.Count); // the first episode, and the one after three healthy checks re-armed the trigger
        var incident = Assert.Single(await bot.Store.ListIncidentsAsync(openOnly: false, default));
        Assert.All(results, r => Assert.Equal(incident.Id, r.IncidentId));
        var run = Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
        Assert.Equal(results[0].RunId, run.Id);
        Assert.Contains("already under way", results[1].Outcome, StringComparison.Ordinal);
        Assert.Equal(run.Id, results[1].RunId);
    }

    [Fact]
    public async Task A_flapping_region_trips_the_error_rate_trigger_once_after_two_minutes_and_opens_one_incident()
    {
        await using var bot = await MonitoredBot.StartAsync();
        var results = new List<(int Check, HealthTriggerResult Result)>();
        for (var i = 0; i < 30; i++)
        {
            bot.East.Failing = i % 3 != 2; // fail, fail, pass: never three in a row, two thirds failing
            foreach (var r in await bot.CheckAsync())
                results.Add((i, r));
        }

        var (check, trigger) = Assert.Single(results);
        Assert.Equal(HealthTrigger.ErrorRate, trigger.Trigger.Rule);
        Assert.Equal(12, check); // the 13th check is the first whose window spans the full 2 minutes
        Assert.Contains("error rate 69 %", trigger.Trigger.Reason, StringComparison.Ordinal);
        Assert.Single(await bot.Store.ListIncidentsAsync(openOnly: false, default));
        Assert.Single(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
    }

    [Fact]
    public async Task A_failing_standby_region_notifies_the_team_but_opens_no_incident_and_starts_no_failover()
    {
        await using var bot = await MonitoredBot.StartAsync();
        bot.West.Failing = true;
        var results = new List<HealthTriggerResult>();
        for (var i = 0; i < 3; i++)
            results.AddRange(await bot.CheckAsync());

        var result = Assert.Single(results);
        Assert.Equal("west-us", result.Trigger.Region);
        Assert.False(result.ActiveRegion);
        Assert.Empty(await bot.Store.ListIncidentsAsync(openOnly: false, default));
        Assert.Empty(await bot.Store.ListRunsAsync(unfinishedOnly: false, default));
        Assert.Contains(await LocalPostsAsync(bot), m => m.PostKey == $"alert:{HealthMonitor.GroupKey("west-us")}");
    }

    private static async Task<RunRecord> WaitForGateAsync(MonitoredBot bot, string runId)
    {
        for (var i = 0; i < 400; i++)
        {
            var run = await bot.Store.GetRunAsync(runId, default);
            if (run is { State: "approve-failover" })
                return run;
            if (run is { IsFinished: true })
                Assert.Fail($"{runId} finished ({run.Outcome}: {run.OutcomeReason}) instead of waiting at its gate");
            await Task.Delay(50);
        }
        Assert.Fail($"{runId} never reached the approve-failover gate");
        return null!;
    }

    private static async Task<OutboxMessage> WaitForPostAsync(MonitoredBot bot, string postKey)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await LocalPostsAsync(bot)).FirstOrDefault(m => m.PostKey == postKey) is { } post)
                return post;
            await Task.Delay(50);
        }
        Assert.Fail($"nothing was posted as {postKey}");
        return null!;
    }

    private static async Task<IReadOnlyList<OutboxMessage>> LocalPostsAsync(MonitoredBot bot) =>
        (await bot.Store.ListOutboxAsync(undeliveredOnly: false, default)).Where(m => m.Channel == "local").OrderBy(m => m.Sequence).ToList();
}
