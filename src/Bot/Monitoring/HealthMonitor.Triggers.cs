using DrBot.Bot.Alerts;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Monitoring;

public sealed partial class HealthMonitor
{
    private static readonly Actor Monitor = Actor.System("health monitor");

    public static string GroupKey(string region) => $"health:{region}";

    private async Task<HealthTriggerResult> RaiseAsync(HealthTrigger trigger, bool activeRegion, CancellationToken cancellationToken)
    {
        var region = trigger.Region;
        var alert = new NormalizedAlert("health-monitor", $"health:{region}:{trigger.Rule}:{trigger.FailureStartedAt.UtcTicks}", GroupKey(region),
            activeRegion ? "RegionDown" : "RegionUnhealthy", AlertStatus.Firing, region, trigger.Value, trigger.Reason,
            new Dictionary<string, string> { ["region"] = region, ["rule"] = trigger.Rule, ["source"] = "health-monitor" },
            trigger.FailureStartedAt, null);
        _raised[region] = alert;
        LogTriggered(region, trigger.Rule, trigger.Reason, trigger.TimeToDetect.TotalSeconds, activeRegion);

        if (!activeRegion)
        {
            // A standby failing is worth knowing (a failover to it would fail) but is no reason to fail over.
            var reason = $"{trigger.Reason}; {region} does not serve traffic, so no failover is proposed";
            await alerts.RecordDecidedAsync([(alert, new AlertDecision(AlertAction.NotifyTeam, "P2", reason, Rule: trigger.Rule))], cancellationToken);
            return new HealthTriggerResult(trigger, false, null, null, reason);
        }

        await alerts.RecordDecidedAsync([(alert, new AlertDecision(AlertAction.OpenIncidentAndProposeFailover,
            _options.Severity, trigger.Reason, _options.Runbook, trigger.Rule))], cancellationToken);
        // The sink opened the region's incident or joined the one already open (never a second one).
        var incident = await incidents.FindOpenForRegionAsync(region, cancellationToken);
        if (incident is null)
            return new HealthTriggerResult(trigger, true, null, null, "the alert sink opened no incident; nothing started");
        await incidents.RecordDetectionAsync(incident.Id, trigger.FailureStartedAt, trigger.DetectedAt, trigger.Reason, Monitor, cancellationToken);

        if ((await runs.GetManyAsync(incident.RunIds, cancellationToken)).FirstOrDefault(r => !r.IsFinished) is { } linked)
            return UnderWay(trigger, incident.Id, linked);
        if (ChooseTarget(region) is not { } target)
            return new HealthTriggerResult(trigger, true, incident.Id, null, $"no other region to fail over to; {incident.Id} is open for people to act");
        // Flap guard: a region that failed again soon after an automatic failover is a person's call.
        if (flapGuard is not null && await flapGuard.RecentAutomaticRunAsync(region, cancellationToken) is { } previous)
        {
            var held = await flapGuard.HoldAsync(trigger, previous, incident.Id, target, cancellationToken);
            LogHeld(region, held);
            return new HealthTriggerResult(trigger, true, incident.Id, null, held);
        }

        // The same start as a person's `failover`: one run per runbook and target region, claimed with the run.
        var started = await runbooks.StartForIncidentAsync(_options.Runbook, target, incident.Id, Monitor, cancellationToken);
        if (started.Running is { } running)
            return UnderWay(trigger, incident.Id, running);
        if (started.Run is not { } run)
        {
            LogStartRefused(region, started.Refusal!);
            return new HealthTriggerResult(trigger, true, incident.Id, null, started.Refusal!);
        }
        return new HealthTriggerResult(trigger, true, incident.Id, run.Id, $"{run.Runbook} from {region} to {target} started as {run.Id}; it stops at its approval gate");
    }

    /// <summary>The region passed its recovery checks: its alert line on the card turns resolved.</summary>
    private async Task RecoveredAsync(string region, CancellationToken cancellationToken)
    {
        LogRecovered(region);
        if (!_raised.TryRemove(region, out var alert))
            return;
        var resolved = alert with { Status = AlertStatus.Resolved, EndsAt = time.GetUtcNow() };
        await alerts.RecordDecidedAsync([(resolved, new AlertDecision(AlertAction.Resolve, _options.Severity,
            $"{region} passed {_options.RecoveryChecks} health checks in a row"))], cancellationToken);
    }

    private static HealthTriggerResult UnderWay(HealthTrigger trigger, string incidentId, RunRecord running) =>
        new(trigger, true, incidentId, running.Id, $"{running.Runbook} {running.Id} is already under way on {incidentId}; no second run");

    /// <summary>The standby to fail over to: never a backup region (data only); a region whose last check passed before one that failed.</summary>
    private string? ChooseTarget(string down)
    {
        static int Rank(string role) => role.ToLowerInvariant() switch { RegionRoles.Secondary => 0, RegionRoles.Backup => 1, RegionRoles.Primary => 3, _ => 2 };
        return options.Value.Regions
            .Where(r => !string.Equals(r.Key, down, StringComparison.OrdinalIgnoreCase) && !RegionRules.IsBackup(r.Value))
            .OrderBy(r => History(r.Key)?.LastHealthy == false ? 1 : 0)
            .ThenBy(r => Rank(r.Value.Role))
            .Select(r => r.Key)
            .FirstOrDefault();
    }

    private Task _fencing = Task.CompletedTask;

    /// <summary>
    /// Tries the pending fences beside the probes, never under them: a host that blackholes connections
    /// takes a whole status timeout to fail, which must not delay detection. One attempt at a time.
    /// </summary>
    private void StartFencingReturned(CancellationToken cancellationToken)
    {
        if (_fencing.IsCompleted)
            _fencing = FenceReturnedAsync(cancellationToken);
    }

    /// <summary>Old primaries the failover could not fence: one that answers again is fenced now, and the channel is told.</summary>
    private async Task FenceReturnedAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (fences is null)
            return;
        try
        {
            foreach (var (fence, detail) in await fences.FenceReturnedAsync(cancellationToken))
            {
                LogFenced(fence.Region, detail);
                if (notifier is not null)
                    // One notice per run and outcome: a fence that keeps failing is said once, not every interval.
                    await notifier.NotifyAsync(fence.RunId, fence.IncidentId, detail.Contains("NOT be fenced", StringComparison.Ordinal) ? "fencing-failed" : "fencing", detail, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFenceFailed(ex);
        }
    }

    [LoggerMessage(EventId = HostLogEvents.PendingFenceTried, Level = LogLevel.Warning, Message = "Pending fence of {Region}: {Detail}")]
    private partial void LogFenced(string region, string detail);

    [LoggerMessage(EventId = HostLogEvents.PendingFencesFailed, Level = LogLevel.Error, Message = "Pending fences could not be tried")]
    private partial void LogFenceFailed(Exception ex);

    [LoggerMessage(EventId = HostLogEvents.HealthTriggered, Level = LogLevel.Warning, Message = "Health trigger {Rule} in {Region}: {Reason} (detected after {Seconds} s; active region: {Active})")]
    private partial void LogTriggered(string region, string rule, string reason, double seconds, bool active);

    [LoggerMessage(EventId = HostLogEvents.RegionRecovered, Level = LogLevel.Information, Message = "{Region} recovered; its triggers are armed again")]
    private partial void LogRecovered(string region);

    [LoggerMessage(EventId = HostLogEvents.FailoverHeldInCooldown, Level = LogLevel.Warning, Message = "Failover of {Region} held: {Outcome}")]
    private partial void LogHeld(string region, string outcome);

    [LoggerMessage(EventId = HostLogEvents.FailoverStartRefused, Level = LogLevel.Error, Message = "The failover of {Region} could not be started: {Message}")]
    private partial void LogStartRefused(string region, string message);
}
