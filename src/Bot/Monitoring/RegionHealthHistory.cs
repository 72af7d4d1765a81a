using System.Globalization;
using DrBot.Runbooks.Infrastructure;

namespace DrBot.Bot.Monitoring;

/// <summary>A trigger of the strategy tripped by a region: which rule, why, and since when.</summary>
public sealed record HealthTrigger(string Region, string Rule, string Reason, DateTimeOffset FailureStartedAt, DateTimeOffset DetectedAt, double? Value)
{
    public const string HealthCheckFailures = "health_check_failures";
    public const string RegionUnavailable = "region_unavailable";
    public const string ResponseTime = "response_time";
    public const string ErrorRate = "error_rate";

    public TimeSpan TimeToDetect => DetectedAt - FailureStartedAt;
}

/// <summary>What one check did to a region's history: a trigger tripped, the region recovered after one, or nothing.</summary>
public readonly record struct HealthObservation(HealthTrigger? Trigger, bool Recovered);

/// <summary>
/// The recent checks of one region and the strategy's triggers over them. A trigger latches: the
/// region trips again only after <see cref="HealthMonitorOptions.RecoveryChecks"/> healthy checks in a
/// row, so a flapping region raises one alert, not one per flap. Not thread-safe: the monitor
/// records one check at a time.
/// </summary>
public sealed class RegionHealthHistory(string region, HealthMonitorOptions options)
{
    private readonly List<Sample> _samples = [];
    private int _consecutiveFailures;
    private DateTimeOffset? _streakStart;
    private bool _streakAllUnreachable = true;
    private DateTimeOffset? _slowSince;
    private int _healthyInARow;

    public string Region { get; } = region;
    public bool Triggered { get; private set; }
    public bool? LastHealthy { get; private set; }
    public int ConsecutiveFailures => _consecutiveFailures;

    public HealthObservation Record(RegionHealth health, DateTimeOffset now)
    {
        var failedProbes = health.Probes.Count(p => !p.Healthy);
        var failed = !health.Healthy;
        var slow = health.Probes.Count > 0 && health.MaxLatency > options.ResponseTimeThreshold;
        _samples.Add(new Sample(now, health.Probes.Count, failedProbes, failed));
        var keep = now - Max(options.ErrorRateFor, options.ResponseTimeFor) - options.Interval;
        _samples.RemoveAll(s => s.At < keep);
        LastHealthy = !failed;

        if (failed)
        {
            _consecutiveFailures++;
            _streakStart ??= now;
            _streakAllUnreachable &= health.Unreachable;
        }
        else
        {
            _consecutiveFailures = 0;
            _streakStart = null;
            _streakAllUnreachable = true;
        }
        _slowSince = slow ? _slowSince ?? now : null;
        _healthyInARow = failed || slow ? 0 : _healthyInARow + 1;

        if (Triggered)
        {
            if (_healthyInARow < options.RecoveryChecks)
                return default;
            // Recovered: forget the bad window so an old failure cannot trip the error-rate trigger again.
            Triggered = false;
            _samples.RemoveAll(s => s.At < now);
            return new HealthObservation(null, true);
        }

        var trigger = Evaluate(now);
        Triggered = trigger is not null;
        return new HealthObservation(trigger, false);
    }

    private HealthTrigger? Evaluate(DateTimeOffset now)
    {
        if (_consecutiveFailures >= options.ConsecutiveFailures && _streakStart is { } start)
        {
            return _streakAllUnreachable
                ? new HealthTrigger(Region, HealthTrigger.RegionUnavailable,
                    $"{Region} unavailable: every health check failed {_consecutiveFailures} times in a row", start, now, _consecutiveFailures)
                : new HealthTrigger(Region, HealthTrigger.HealthCheckFailures,
                    $"{_consecutiveFailures} consecutive failed health checks of {Region}", start, now, _consecutiveFailures);
        }
        if (_slowSince is { } slowSince && now - slowSince >= options.ResponseTimeFor)
        {
            return new HealthTrigger(Region, HealthTrigger.ResponseTime,
                $"{Region} responds slower than {options.ResponseTimeThreshold.TotalMilliseconds:F0} ms for {Minutes(now - slowSince)}", slowSince, now,
                options.ResponseTimeThreshold.TotalMilliseconds);
        }
        var windowStart = now - options.ErrorRateFor;
        if (_samples.Count > 0 && _samples[0].At <= windowStart)
        {
            var window = _samples.Where(s => s.At >= windowStart).ToList();
            var probes = window.Sum(s => s.Probes);
            var rate = probes == 0 ? 0 : window.Sum(s => s.FailedProbes) / (double)probes;
            if (rate > options.ErrorRateThreshold && window.FirstOrDefault(s => s.Failed) is { } first)
            {
                return new HealthTrigger(Region, HealthTrigger.ErrorRate,
                    $"{Region} error rate {(rate * 100).ToString("0", CultureInfo.InvariantCulture)} % over the last {Minutes(options.ErrorRateFor)} (threshold {(options.ErrorRateThreshold * 100).ToString("0", CultureInfo.InvariantCulture)} %)",
                    first.At, now, rate);
            }
        }
        return null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Minutes(TimeSpan t) => t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0} s";

    private readonly record struct Sample(DateTimeOffset At, int Probes, int FailedProbes, bool Failed);
}
