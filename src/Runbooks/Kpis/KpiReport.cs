namespace DrBot.Runbooks.Kpis;

/// <summary>One recovery measured against its tier's targets: an incident's failover or a drill.</summary>
public sealed record RecoveryPoint(
    string Source,
    string Id,
    DateTimeOffset At,
    string Tier,
    TimeSpan? Rto,
    TimeSpan RtoTarget,
    TimeSpan? Rpo,
    TimeSpan RpoTarget)
{
    public bool? RtoMet => Rto is { } r ? r <= RtoTarget : null;
    public bool? RpoMet => Rpo is { } r ? r <= RpoTarget : null;
}

/// <summary>The last run of one kind of exercise (scheduled drill or validation), null when never run.</summary>
public sealed record LastExercise(string Kind, DateTimeOffset? At, string? Id, string? Status);

/// <summary>The strategy's "Metrics Tracking" over a period.</summary>
public sealed record KpiReport(
    KpiPeriod Period,
    int Incidents,
    IReadOnlyList<RecoveryPoint> Recoveries,
    int FailoversSucceeded,
    int FailoversFinished,
    TimeSpan? MeanTimeToRecovery,
    int Recovered,
    TimeSpan? MeanTimeToDetect,
    int Detected,
    int BackupsSucceeded,
    int BackupsTotal,
    IReadOnlyList<LastExercise> LastExercises)
{
    /// <summary>Succeeded / (succeeded + failed + rolled back); null without a finished failover.</summary>
    public double? FailoverSuccessRate => FailoversFinished == 0 ? null : (double)FailoversSucceeded / FailoversFinished;

    public double? BackupSuccessRate => BackupsTotal == 0 ? null : (double)BackupsSucceeded / BackupsTotal;

    /// <summary>Practice runs (<c>--practice</c>) that ended in the period, and how many of them succeeded; never failovers.</summary>
    public int PracticesFinished { get; init; }
    public int PracticesSucceeded { get; init; }
}
