using Microsoft.Extensions.Options;

namespace DrBot.Bot.Monitoring;

/// <summary>
/// The health monitor's interval and the strategy's automatic-failover triggers (DR-STRATEGY.md,
/// "Automatic Failover"), bound from <c>DrBot:Monitoring</c>. Defaults are the strategy's.
/// </summary>
public sealed class HealthMonitorOptions
{
    public const string Section = "DrBot:Monitoring";

    /// <summary>On by default in Live mode; off in Simulated mode, where drills raise their own alerts.</summary>
    public bool? Enabled { get; set; }

    /// <summary>How often every region is probed.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>health_check_failures: 3</c>: failed checks in a row that trigger.</summary>
    public int ConsecutiveFailures { get; set; } = 3;

    /// <summary><c>response_time: "&gt; 5000ms for 5min"</c>: the slowest probe of each check over this…</summary>
    public TimeSpan ResponseTimeThreshold { get; set; } = TimeSpan.FromMilliseconds(5000);

    /// <summary>…for this long without a break.</summary>
    public TimeSpan ResponseTimeFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>error_rate: "&gt; 50% for 2min"</c>: the share of failed probes over the window…</summary>
    public double ErrorRateThreshold { get; set; } = 0.5;

    /// <summary>…of this length (the window must be fully observed).</summary>
    public TimeSpan ErrorRateFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Healthy checks in a row after a trigger before the region can trigger again (no alert storm when it flaps).</summary>
    public int RecoveryChecks { get; set; } = 3;

    /// <summary>
    /// No second automatic failover of a region within this time of the one the monitor last started:
    /// a region that recovered and failed again inside it gets a card asking a person instead.
    /// </summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The runbook started when the active region trips a trigger.</summary>
    public string Runbook { get; set; } = "region-failover";

    /// <summary>Severity of the incident a trigger opens.</summary>
    public string Severity { get; set; } = "P1";
}

/// <summary>A bad <c>DrBot:Monitoring</c> stops the bot at start, naming the key and what is valid.</summary>
public sealed class HealthMonitorOptionsValidator : IValidateOptions<HealthMonitorOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthMonitorOptions options)
    {
        var errors = new List<string>();
        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
                errors.Add($"{HealthMonitorOptions.Section}:{key} must be a positive duration such as 00:00:10 (was {value}).");
        }
        Positive(options.Interval, nameof(options.Interval));
        Positive(options.ResponseTimeThreshold, nameof(options.ResponseTimeThreshold));
        Positive(options.ResponseTimeFor, nameof(options.ResponseTimeFor));
        Positive(options.ErrorRateFor, nameof(options.ErrorRateFor));
        Positive(options.Cooldown, nameof(options.Cooldown));
        if (options.ConsecutiveFailures < 1)
            errors.Add($"{HealthMonitorOptions.Section}:ConsecutiveFailures must be 1 or more (was {options.ConsecutiveFailures}).");
        if (options.RecoveryChecks < 1)
            errors.Add($"{HealthMonitorOptions.Section}:RecoveryChecks must be 1 or more (was {options.RecoveryChecks}).");
        if (options.ErrorRateThreshold is <= 0 or >= 1 || double.IsNaN(options.ErrorRateThreshold))
            errors.Add($"{HealthMonitorOptions.Section}:ErrorRateThreshold must be a fraction between 0 and 1, such as 0.5 (was {options.ErrorRateThreshold}).");
        if (string.IsNullOrWhiteSpace(options.Runbook))
            errors.Add($"{HealthMonitorOptions.Section}:Runbook must name a runbook (region-failover).");
        if (string.IsNullOrWhiteSpace(options.Severity))
            errors.Add($"{HealthMonitorOptions.Section}:Severity must be P1..P4.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
