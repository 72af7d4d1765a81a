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

    /// <summary>
    /// The strategy's testing schedule by name. Defaults: monthly region failure and full backup
    /// restore, weekly database failover, network (partition) and data consistency, daily service
    /// failures (cascading-failure). Set <c>Enabled=false</c> on a line to drop it.
    /// </summary>
    public Dictionary<string, DrillScheduleEntry> Schedule { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["monthly-region-failure"] = new() { Exercise = ExerciseKinds.RegionFailure, Every = "monthly", Day = "1", At = "03:00" },
        ["monthly-backup-restore"] = new() { Exercise = ExerciseKinds.BackupRestore, Every = "monthly", Day = "1", At = "04:00" },
        ["weekly-database-failover"] = new() { Exercise = ExerciseKinds.DatabaseFailure, Every = "weekly", Day = "Tuesday", At = "03:00" },
        ["weekly-network"] = new() { Exercise = ExerciseKinds.NetworkPartition, Every = "weekly", Day = "Wednesday", At = "03:00" },
        ["weekly-data-consistency"] = new() { Exercise = ExerciseKinds.DataConsistency, Every = "weekly", Day = "Thursday", At = "03:00" },
        ["daily-service-failures"] = new() { Exercise = ExerciseKinds.CascadingFailure, Every = "daily", At = "05:00" },
    };

    /// <summary>A due drill not started this long after it was due is escalated (1 day).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan OverdueGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How far Postpone moves a due drill (1 day).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan PostponeBy { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Who decides on a due drill (Start or Postpone): <c>lead</c>.</summary>
    public string DecisionRole { get; set; } = "lead";

    /// <summary>Who is told when a drill is overdue past the grace: <c>engineering-lead</c>.</summary>
    public string EscalationRole { get; set; } = "engineering-lead";
}

/// <summary>Refuses a bad schedule at start, naming the key and what is valid.</summary>
public sealed class DrillOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<DrillOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, DrillOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Schedule.Where(e => e.Value.Enabled).Select(e => e.Value.Problem(e.Key)).OfType<string>().ToList();
        return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
    }
}
