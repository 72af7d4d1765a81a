namespace DrBot.Runbooks.Infrastructure.Live;

/// <summary>
/// Timeouts of the live adapters, bound from <c>DrBot:Live</c>. Defaults suit a production
/// failover: long enough for a promotion under load, short enough that a dead host fails a step
/// in seconds rather than minutes.
/// </summary>
public sealed class LiveInfrastructureOptions
{
    public const string Section = "DrBot:Live";

    /// <summary>Connect and query timeout of status checks (database, cache, cluster reads).</summary>
    public TimeSpan StatusTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a promotion may take, including the write verification.</summary>
    public TimeSpan PromoteTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Per-URL timeout of the HTTP health probes.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a rollout wait re-reads the deployments.</summary>
    public TimeSpan RolloutPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries of a Kubernetes API call answered 429/5xx or not answered at all.</summary>
    public int KubernetesRetries { get; set; } = 4;

    /// <summary>First back-off of the Kubernetes retries; doubled each time, or the server's Retry-After.</summary>
    public TimeSpan KubernetesRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
