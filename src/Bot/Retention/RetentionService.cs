using DrBot.Bot.Alerts.Intake;
using DrBot.Bot.Channels.Local;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Channels.Teams;
using DrBot.Bot.Commands;
using DrBot.Bot.Hosting;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Retention;

/// <summary>What one retention pass deleted.</summary>
public sealed record RetentionReport(int OutboxMessages, int IdempotencyKeys, int AlertGroups, int LocalChatMessages);

/// <summary>
/// Prunes on start and then every <see cref="RetentionOptions.Interval"/>, in small batches so
/// commands and alerts are never held behind it. A failed pass is logged and tried again next time.
/// </summary>
public sealed partial class RetentionService(
    IRetentionStore store,
    LocalChatLog localChat,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var report = await PruneAsync(stoppingToken);
                LogPruned(report.OutboxMessages, report.IdempotencyKeys, report.AlertGroups, report.LocalChatMessages);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(ex);
            }
            try
            {
                await Task.Delay(options.Value.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>One pass: the store in batches until nothing more is due, then the local chat.</summary>
    public async Task<RetentionReport> PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var request = Request(options.Value, now);
        int outbox = 0, keys = 0, values = 0;
        PruneCounts counts;
        do
        {
            counts = await store.PruneAsync(request, cancellationToken);
            (outbox, keys, values) = (outbox + counts.OutboxMessages, keys + counts.IdempotencyKeys, values + counts.Values);
            await Task.Yield();
        }
        while (counts.MayHaveMore(request.MaxRows));
        var chat = localChat.Prune(now - options.Value.LocalChat);
        return new RetentionReport(outbox, keys, values, chat);
    }

    /// <summary>
    /// The kinds of idempotency key that only guard against a repeat for a while. Every other key
    /// (a run's "one run per region" claim, a drill decision, a notice already posted) is kept.
    /// </summary>
    public static PruneRequest Request(RetentionOptions options, DateTimeOffset now)
    {
        var inbound = now - options.IdempotencyKeys;
        return new PruneRequest(
            now - options.DeliveredOutbox,
            [
                new KeyPrefixCutoff(SlackDispatcher.InboundKeyPrefix, inbound),
                new KeyPrefixCutoff(TeamsActivityProcessor.ActivityKeyPrefix, inbound),
                new KeyPrefixCutoff(CommandRouter.InputKeyPrefix, inbound),
                new KeyPrefixCutoff(ScheduledTimer.OccurrenceKeyPrefix, inbound),
                new KeyPrefixCutoff(AlertIntake.VersionClaimPrefix, now - options.VersionClaims),
            ],
            now);
    }

    [LoggerMessage(EventId = HostLogEvents.RetentionPruned, Level = LogLevel.Information,
        Message = "Retention pruned {Outbox} delivered outbox messages, {Keys} idempotency keys, {Groups} resolved alert groups and {Chat} local chat messages")]
    private partial void LogPruned(int outbox, int keys, int groups, int chat);

    [LoggerMessage(EventId = HostLogEvents.RetentionFailed, Level = LogLevel.Warning, Message = "Retention pass failed; it is tried again at the next interval")]
    private partial void LogFailed(Exception exception);
}
