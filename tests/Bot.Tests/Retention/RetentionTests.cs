using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Channels.Local;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Commands;
using DrBot.Bot.Retention;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Tests.Retention;

/// <summary>What a retention pass deletes from the bot's real service graph, and what it keeps (issue 16, item 6).</summary>
public sealed class RetentionTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly AlertDecision Notify = new(AlertAction.NotifyTeam, "P3", "Replication lag 12 s > 10 s");

    [Fact]
    public async Task A_resolved_alert_group_goes_once_quiet_for_its_age_and_a_firing_group_stays()
    {
        await using var bot = InProcessBot.Create();
        var intake = bot.Get<AlertIntake>();
        var resolving = Alert("f1", "group-resolved");
        await intake.RecordDecidedAsync([(resolving, Notify), (Alert("f2", "group-firing"), Notify)], None);
        bot.Time.Advance(TimeSpan.FromHours(1));
        await intake.RecordDecidedAsync([(resolving with { Status = AlertStatus.Resolved }, new AlertDecision(AlertAction.Resolve, "P3", "resolved"))], None);

        bot.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await bot.Get<RetentionService>().PruneAsync(None)).AlertGroups);
        bot.Time.Advance(TimeSpan.FromMinutes(2));
        var report = await bot.Get<RetentionService>().PruneAsync(None);

        Assert.Equal(1, report.AlertGroups);
        Assert.Null(await bot.Store.GetValueAsync(AlertIntake.RecordKey("group-resolved"), None));
        Assert.NotNull(await bot.Store.GetValueAsync(AlertIntake.RecordKey("group-firing"), None));
    }

    [Fact]
    public async Task Keys_of_inbound_deliveries_and_fired_timers_go_after_their_age_and_a_running_runbook_keeps_its_claim()
    {
        await using var bot = InProcessBot.Create();
        var runClaim = RunbookService.ClaimKey("region-failover", "west-us");
        string[] temporary = [SlackDispatcher.InboundKeyPrefix + "T1:123", CommandRouter.InputKeyPrefix + "local:d-1", new ScheduledTimer("status:INC-1", TimerKinds.StatusPost, "INC-1", bot.Time.GetUtcNow()).OccurrenceKey];
        foreach (var key in temporary.Append(runClaim))
            Assert.True(await bot.Store.TryClaimIdempotencyKeyAsync(key, bot.Time.GetUtcNow(), None));

        bot.Time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var report = await bot.Get<RetentionService>().PruneAsync(None);

        Assert.Equal(temporary.Length, report.IdempotencyKeys);
        foreach (var key in temporary)
            Assert.True(await bot.Store.TryClaimIdempotencyKeyAsync(key, bot.Time.GetUtcNow(), None));
        Assert.False(await bot.Store.TryClaimIdempotencyKeyAsync(runClaim, bot.Time.GetUtcNow(), None));
    }

    [Fact]
    public async Task Delivered_posts_go_after_their_age_and_undelivered_ones_stay_queued()
    {
        await using var bot = InProcessBot.Create();
        var delivered = await bot.Store.EnqueueAsync(Post("incident:INC-1"), None);
        var waiting = await bot.Store.EnqueueAsync(Post("incident:INC-2"), None);
        await bot.Store.MarkDeliveredAsync(delivered, bot.Time.GetUtcNow(), None);

        bot.Time.Advance(TimeSpan.FromDays(8));
        var report = await bot.Get<RetentionService>().PruneAsync(None);

        Assert.Equal(1, report.OutboxMessages);
        Assert.Equal([waiting], (await bot.Store.ListOutboxAsync(undeliveredOnly: false, None)).Select(m => m.Sequence));
    }

    [Fact]
    public async Task Local_chat_messages_go_after_their_configured_age_counted_from_their_last_change()
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { ["DrBot:Retention:LocalChat"] = "2.00:00:00" });
        var chat = bot.Get<LocalChatLog>();
        var now = bot.Time.GetUtcNow();
        chat.Add("alice", now, "help", null, null, null);
        var card = chat.Add("DrBot", now, "run card", null, null, null);
        chat.Add("DrBot", now, "newest", null, null, null);
        chat.Replace(card.Id, "run card, later", null, now.AddDays(2));

        bot.Time.Advance(TimeSpan.FromDays(3));
        var report = await bot.Get<RetentionService>().PruneAsync(None);

        Assert.Equal(1, report.LocalChatMessages);
        Assert.Equal(["run card, later", "newest"], chat.Snapshot().Select(m => m.Text));
    }

    [Theory]
    [InlineData("DrBot:Retention:IdempotencyKeys", "00:05:00", "IdempotencyKeys")]
    [InlineData("DrBot:Retention:Interval", "0.00:00:00", "Interval")]
    [InlineData("DrBot:Retention:DeliveredOutbox", "00:00:30", "DeliveredOutbox")]
    public async Task An_age_out_of_range_is_refused_at_start_naming_the_setting(string key, string value, string name)
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { [key] = value });

        var refused = Assert.Throws<OptionsValidationException>(() => bot.Get<IOptions<RetentionOptions>>().Value);

        Assert.Contains(name, refused.Message, StringComparison.Ordinal);
        Assert.Contains("must be between", refused.Message, StringComparison.Ordinal);
    }

    private static NormalizedAlert Alert(string fingerprint, string group) =>
        new("alertmanager", $"{fingerprint}:ReplicationLag", group, "ReplicationLag", AlertStatus.Firing, "east-us", 12, "Replication lag on east-us",
            new Dictionary<string, string> { ["alertname"] = "ReplicationLag", ["region"] = "east-us" }, InProcessBot.Start, null);

    private static OutboxMessage Post(string postKey) =>
        new(0, LocalChannelAdapter.ChannelName, "incident-response", OutboxOperation.Post, postKey, "{}", InProcessBot.Start);
}
