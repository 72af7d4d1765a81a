using DrBot.Bot.Monitoring;
using DrBot.Runbooks.Infrastructure;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Tests.Monitoring;

/// <summary>The strategy's time-based triggers, which a real endpoint would take minutes to show.</summary>
public sealed class RegionHealthHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private static RegionHealth Check(bool healthy, double ms) =>
        new("east-us", T0, [new ServiceProbe("core-api", "http://core-api/healthz", healthy, TimeSpan.FromMilliseconds(ms), "")]);

    [Fact]
    public void Responses_slower_than_five_seconds_trip_the_response_time_trigger_after_five_minutes_not_before()
    {
        var history = new RegionHealthHistory("east-us", new HealthMonitorOptions());
        var tripped = new List<(int Check, HealthTrigger Trigger)>();
        for (var i = 0; i <= 40; i++)
        {
            if (history.Record(Check(true, 5200), T0 + TimeSpan.FromSeconds(10 * i)).Trigger is { } t)
                tripped.Add((i, t));
        }

        var (check, trigger) = Assert.Single(tripped);
        Assert.Equal(30, check); // 5 minutes after the first slow check
        Assert.Equal(HealthTrigger.ResponseTime, trigger.Rule);
        Assert.Equal(T0, trigger.FailureStartedAt);
        Assert.Equal(TimeSpan.FromMinutes(5), trigger.TimeToDetect);
    }

    [Fact]
    public void One_fast_answer_inside_the_five_minutes_starts_the_slow_period_again()
    {
        var history = new RegionHealthHistory("east-us", new HealthMonitorOptions());
        for (var i = 0; i < 29; i++)
            Assert.Null(history.Record(Check(true, 6000), T0 + TimeSpan.FromSeconds(10 * i)).Trigger);
        Assert.Null(history.Record(Check(true, 80), T0 + TimeSpan.FromSeconds(290)).Trigger);
        for (var i = 30; i < 59; i++)
            Assert.Null(history.Record(Check(true, 6000), T0 + TimeSpan.FromSeconds(10 * i)).Trigger);
    }

    [Fact]
    public void The_thresholds_come_from_configuration_and_bad_values_are_refused_with_the_key_named()
    {
        var strict = new HealthMonitorOptions { ConsecutiveFailures = 2 };
        var history = new RegionHealthHistory("east-us", strict);
        Assert.Null(history.Record(Check(false, 1), T0).Trigger);
        Assert.Equal(HealthTrigger.RegionUnavailable, history.Record(Check(false, 1), T0.AddSeconds(10)).Trigger?.Rule);

        var result = new HealthMonitorOptionsValidator().Validate(null, new HealthMonitorOptions { Interval = TimeSpan.Zero, ErrorRateThreshold = 50 });
        Assert.True(result.Failed);
        Assert.Contains("DrBot:Monitoring:Interval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("DrBot:Monitoring:ErrorRateThreshold", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new HealthMonitorOptionsValidator().Validate(null, new HealthMonitorOptions()).Succeeded);
        Assert.IsAssignableFrom<IValidateOptions<HealthMonitorOptions>>(new HealthMonitorOptionsValidator());
    }
}
