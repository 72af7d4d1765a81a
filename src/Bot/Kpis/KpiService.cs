using DrBot.Runbooks.Application;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Kpis;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Kpis;

/// <summary>Loads the record (incidents, runs, exercises) and computes the KPIs of a period.</summary>
public sealed class KpiService(RunQueries runQueries, IncidentService incidents, ExerciseArchive exercises, TimeProvider time)
{
    /// <summary>Null with <paramref name="error"/> when <paramref name="period"/> is not a period.</summary>
    public async Task<(KpiReport? Report, string? Error)> ComputeAsync(string? period, CancellationToken cancellationToken)
    {
        if (KpiPeriod.Parse(period, time.GetUtcNow(), out var error) is not { } parsed)
            return (null, error);
        var all = await incidents.ListAllAsync(cancellationToken);
        var runs = await runQueries.ListAllAsync(cancellationToken);
        var archived = await exercises.ListAsync(cancellationToken);
        return (KpiCalculator.Compute(parsed, all, runs, archived, incidents.Tiers), null);
    }
}
