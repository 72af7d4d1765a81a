using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Incidents;

namespace DrBot.Bot.Tests.Incidents;

/// <summary>What each alert rule's decision does in the bot: the posts it makes and the incident it opens.</summary>
public sealed class IncidentAlertSinkTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_critical_replication_lag_pages_the_on_call_person_on_the_alert_card()
    {
        await using var bot = InProcessBot.Create();
        await SendAsync(bot, Alert("ReplicationLag", 42), new AlertDecision(AlertAction.PageOnCall, "P2", "Replication lag 42 s > 30 s"));

        var posts = await bot.LocalPostsAsync();
        var page = Assert.Single(posts, p => p.PostKey.StartsWith("notice:", StringComparison.Ordinal));
        Assert.Contains("Paging on-call", page.Payload, StringComparison.Ordinal);
        Assert.Contains("\"alice\"", page.Payload, StringComparison.Ordinal); // alice is the roster's on-call
        Assert.Single(posts, p => p.PostKey.StartsWith("alert:", StringComparison.Ordinal));
        Assert.Empty(await bot.Get<IncidentService>().ListOpenAsync(None));
    }

    [Fact]
    public async Task A_warning_notifies_the_team_without_paging_anyone()
    {
        await using var bot = InProcessBot.Create();
        await SendAsync(bot, Alert("ReplicationLag", 12), new AlertDecision(AlertAction.NotifyTeam, "P3", "Replication lag 12 s > 10 s"));

        var notice = Assert.Single(await bot.LocalPostsAsync(), p => p.PostKey.StartsWith("notice:", StringComparison.Ordinal));
        Assert.Contains("Replication lag 12 s", notice.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain("\"alice\"", notice.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Region_down_opens_one_P1_and_the_alert_card_proposes_the_failover_to_the_secondary()
    {
        await using var bot = InProcessBot.Create();
        var decision = new AlertDecision(AlertAction.OpenIncidentAndProposeFailover, "P1", "Region east-us is down", "region-failover");
        await SendAsync(bot, Alert("RegionDown", null), decision);
        await SendAsync(bot, Alert("RegionDown", null, fingerprint: "second"), decision); // another alert of the same failure

        var incident = Assert.Single(await bot.Get<IncidentService>().ListOpenAsync(None));
        Assert.Equal("P1", incident.Severity);
        Assert.Equal("east-us", incident.Region);
        Assert.Equal(2, incident.AlertIds.Count);
        var card = (await bot.LocalPostsAsync()).Last(p => p.PostKey.StartsWith("alert:", StringComparison.Ordinal));
        Assert.Contains("start-runbook", card.Payload, StringComparison.Ordinal);
        Assert.Contains("\"region\":\"west-us\"", card.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolved_alert_updates_its_card_and_removes_the_proposal()
    {
        await using var bot = InProcessBot.Create();
        var firing = Alert("RegionDown", null);
        await SendAsync(bot, firing, new AlertDecision(AlertAction.OpenIncidentAndProposeFailover, "P1", "Region east-us is down", "region-failover"));
        await SendAsync(bot, firing with { Status = AlertStatus.Resolved }, new AlertDecision(AlertAction.Resolve, "P1", "resolved"));

        // One card: its post was still queued, so the update took its place (issue 16: queued updates coalesce).
        var card = Assert.Single(await bot.LocalPostsAsync(), p => p.PostKey.StartsWith("alert:", StringComparison.Ordinal));
        Assert.Contains("Resolved", card.Payload, StringComparison.Ordinal);
        Assert.DoesNotContain("start-runbook", card.Payload, StringComparison.Ordinal);
    }

    private static NormalizedAlert Alert(string name, double? value, string fingerprint = "f1") =>
        new("alertmanager", $"{fingerprint}:{name}", "group-1", name, AlertStatus.Firing, "east-us", value, $"{name} on east-us",
            new Dictionary<string, string> { ["alertname"] = name, ["region"] = "east-us" }, InProcessBot.Start, null);

    private static Task SendAsync(InProcessBot bot, NormalizedAlert alert, AlertDecision decision) =>
        bot.Get<AlertIntake>().RecordDecidedAsync([(alert, decision)], None);
}
