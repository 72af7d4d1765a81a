namespace DrBot.Runbooks.Preflight;

/// <summary><c>DrBot:Preflight</c>: how often every failover runbook is evaluated without changing anything.</summary>
public sealed class PreflightOptions
{
    public const string Section = "DrBot:Preflight";

    /// <summary>Time between two scheduled pre-flights (30 min).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one step's evaluation may take before it counts as blocked (30 s).</summary>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>False: no scheduled pre-flight (the <c>preflight</c> command still evaluates on demand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Null when valid; otherwise what is wrong, naming the key.</summary>
    public string? Problem() =>
        Interval <= TimeSpan.Zero ? $"{Section}:Interval must be a positive time span (e.g. 00:30:00); it is {Interval}."
        : StepTimeout <= TimeSpan.Zero ? $"{Section}:StepTimeout must be a positive time span (e.g. 00:00:30); it is {StepTimeout}."
        : null;
}
