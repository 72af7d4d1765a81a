using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Monitoring;

/// <summary>
/// Live mode: every probe interval (<c>DrBot:Monitoring:Interval</c>) writes a heartbeat row to each region's
/// primary database (<c>drbot_heartbeat</c>) and records the last one acknowledged and the first failure
/// after it (<see cref="HeartbeatLedger"/>). A replica is skipped. This is what bounds the RPO of a failover.
/// </summary>
public sealed partial class HeartbeatService(
    IDatabaseHeartbeat heartbeat,
    HeartbeatLedger ledger,
    IOptions<HealthMonitorOptions> monitor,
    IOptions<DrBotOptions> options,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = monitor.Value.Interval;
        ledger.Interval = interval;
        var regions = options.Value.Regions.Where(r => !string.IsNullOrWhiteSpace(r.Value.Database.ConnectionString)).Select(r => r.Key).ToList();
        if (regions.Count == 0)
            return;
        LogStarted(interval.TotalSeconds, regions.Count);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                await Task.WhenAll(regions.Select(r => BeatAsync(r, stoppingToken)));
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task BeatAsync(string region, CancellationToken cancellationToken)
    {
        try
        {
            if (await heartbeat.WriteAsync(region, cancellationToken) is { } beat)
                await ledger.AcknowledgedAsync(region, beat, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unreachable, or refusing writes (fenced): the primary stopped acknowledging here.
            LogMissed(region, ex.Message);
            try
            {
                await ledger.FailedAsync(region, cancellationToken);
            }
            catch (Exception storeEx) when (storeEx is not OperationCanceledException)
            {
                LogMissed(region, storeEx.Message);
            }
        }
    }

    [LoggerMessage(EventId = HostLogEvents.HeartbeatStarted, Level = LogLevel.Information, Message = "Heartbeat every {Seconds} s to the primary database of {Regions} region(s)")]
    private partial void LogStarted(double seconds, int regions);

    [LoggerMessage(EventId = HostLogEvents.HeartbeatNotAcknowledged, Level = LogLevel.Debug, Message = "Heartbeat to {Region} not acknowledged: {Reason}")]
    private partial void LogMissed(string region, string reason);
}
