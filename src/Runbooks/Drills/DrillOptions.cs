using System.ComponentModel.DataAnnotations;

namespace DrBot.Runbooks.Drills;

/// <summary><c>DrBot:Drills</c>: how the chaos drills run and when they end.</summary>
public sealed class DrillOptions
{
    public const string Section = "DrBot:Drills";

    /// <summary>How often a running drill is observed (health probes, finished failovers) (30 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ObserveEvery { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A drill still running after this is evaluated with what was measured (60 min).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>network-partition: how long replication stays cut before the partition heals (2 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00")]
    public TimeSpan PartitionFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>network-partition: the replica's lag while cut off, in seconds (300).</summary>
    [Range(1, 86_400)]
    public double PartitionLagSeconds { get; set; } = 300;

    /// <summary>network-partition: after healing, replication has resumed when the replica's lag is at most this (60 s, the failover pre-check's limit).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ResumedLagAtMost { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>cascading-failure: the services that fail, in this order.</summary>
    [MinLength(1)]
    public List<string> CascadeServices { get; set; } = ["core-api", "graphql-gateway", "frontend"];

    /// <summary>cascading-failure: time between one service failing and the next (1 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CascadeStepEvery { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>cascading-failure: each service's outage in the simulated application before it recovers (3 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "06:00:00")]
    public TimeSpan CascadeOutage { get; set; } = TimeSpan.FromMinutes(3);
}
