using System.Collections.Concurrent;
using DrBot.Bot.Alerts;
using DrBot.Bot.Alerts.Intake;
using DrBot.Runbooks.Application;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Monitoring;

/// <summary>What the monitor did about one trigger.</summary>
public sealed record HealthTriggerResult(HealthTrigger Trigger, bool ActiveRegion, string? IncidentId, string? RunId, string Outcome);

/// <summary>
/// Probes every region on <see cref="HealthMonitorOptions.Interval"/> and raises the strategy's
/// automatic-failover triggers. When the active region trips one, the monitor opens (or joins) a P1
/// incident through the alert sink (alert card, paging, war room), records the time to detect, and
/// starts the region failover as the bot itself: the run does its pre-checks and stops at its
/// approval gate, so a lead decides with the facts on the card. Nothing changes in production
/// without that approval. A region that is not serving traffic only notifies the team.
/// </summary>
public sealed partial class HealthMonitor(
    IHealthProbe probe,
    AlertIntake alerts,
    IncidentService incidents,
    RunbookService runbooks,
    RunQueries runs,
    IOptions<HealthMonitorOptions> monitorOptions,
    IOptions<DrBotOptions> options,
    TimeProvider time,
    ILogger<HealthMonitor> logger,
    ITrafficRouter? traffic = null,
    PendingFences? fences = null,
    IRunbookNotifier? notifier = null,
    FlapGuard? flapGuard = null) : BackgroundService
{
    private readonly HealthMonitorOptions _options = monitorOptions.Value;
    private readonly ConcurrentDictionary<string, RegionHealthHistory> _histories = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, NormalizedAlert> _raised = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _oneCheckAtATime = new(1, 1);

    public HealthMonitorOptions Options => _options;

    /// <summary>The history of a region (null before its first check with probes).</summary>
    public RegionHealthHistory? History(string region) => _histories.GetValueOrDefault(region);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Enabled != true)
        {
            LogDisabled();
            return;
        }
        LogStarted(_options.Interval.TotalSeconds, options.Value.Regions.Count);
        using var timer = new PeriodicTimer(_options.Interval, time);
        try
        {
            do
            {
                try
                {
                    await ProbeOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One check of every region: probe, record, and act on the triggers that tripped.</summary>
    public async Task<IReadOnlyList<HealthTriggerResult>> ProbeOnceAsync(CancellationToken cancellationToken)
    {
        await _oneCheckAtATime.WaitAsync(cancellationToken);
        try
        {
            var regions = options.Value.Regions.Keys.ToList();
            var checks = await Task.WhenAll(regions.Select(r => ProbeRegionAsync(r, cancellationToken)));
            var now = time.GetUtcNow();
            var results = new List<HealthTriggerResult>();
            string? active = null;
            foreach (var health in checks)
            {
                if (health is null || health.Probes.Count == 0)
                    continue; // no health URLs: the region is not monitored
                var history = _histories.GetOrAdd(health.Region, r => new RegionHealthHistory(r, _options));
                var observation = history.Record(health, now);
                if (observation.Recovered)
                    await RecoveredAsync(health.Region, cancellationToken);
                if (observation.Trigger is { } trigger)
                {
                    active ??= await ActiveRegionAsync(cancellationToken);
                    results.Add(await RaiseAsync(trigger, string.Equals(trigger.Region, active, StringComparison.OrdinalIgnoreCase), cancellationToken));
                }
            }
            StartFencingReturned(cancellationToken);
            return results;
        }
        finally
        {
            _oneCheckAtATime.Release();
        }
    }

    private async Task<RegionHealth?> ProbeRegionAsync(string region, CancellationToken cancellationToken)
    {
        try
        {
            return await probe.ProbeAsync(region, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A probe that throws is a bug of the probe, not evidence that the region is down: skip this check.
            LogProbeFailed(region, ex);
            return null;
        }
    }

    /// <summary>The region serving traffic now (the traffic router's highest-weight enabled endpoint), else the configured primary.</summary>
    private async Task<string?> ActiveRegionAsync(CancellationToken cancellationToken)
    {
        if (traffic is not null)
        {
            try
            {
                var serving = (await traffic.GetEndpointsAsync(cancellationToken)).Where(e => e.Enabled).OrderByDescending(e => e.Weight).FirstOrDefault();
                if (serving is not null)
                    return serving.Region;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogTrafficUnreadable(ex);
            }
        }
        return options.Value.RegionWithRole(RegionRoles.Primary);
    }

    [LoggerMessage(EventId = HostLogEvents.HealthMonitorOff, Level = LogLevel.Information, Message = "Health monitor off (DrBot:Monitoring:Enabled); it is on by default in Live mode")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = HostLogEvents.HealthMonitorStarted, Level = LogLevel.Information, Message = "Health monitor probing {Regions} regions every {Seconds} s")]
    private partial void LogStarted(double seconds, int regions);

    [LoggerMessage(EventId = HostLogEvents.HealthCheckRoundFailed, Level = LogLevel.Error, Message = "Health check round failed")]
    private partial void LogCheckFailed(Exception ex);

    [LoggerMessage(EventId = HostLogEvents.HealthProbeFailed, Level = LogLevel.Warning, Message = "Health probe of {Region} threw; the check is skipped")]
    private partial void LogProbeFailed(string region, Exception ex);

    [LoggerMessage(EventId = HostLogEvents.ActiveRegionUnreadable, Level = LogLevel.Warning, Message = "Traffic endpoints unreadable; the configured primary is taken as the active region")]
    private partial void LogTrafficUnreadable(Exception ex);
}
