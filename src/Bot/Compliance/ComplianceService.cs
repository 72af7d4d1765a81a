using DrBot.Runbooks.Application;
using System.Globalization;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Compliance;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Compliance;

/// <summary><c>report compliance [from] [to]</c>: builds the evidence report from the store for a period of whole UTC days.</summary>
public sealed class ComplianceService(RunQueries runQueries, ExerciseArchive archive, AuditLog audit, IncidentService incidents, TimeProvider time)
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(90);

    /// <summary>
    /// <paramref name="from"/> and <paramref name="to"/> are days (yyyy-MM-dd), both included; without
    /// them the last 90 days. Null with <paramref name="error"/> when they are not days or out of order.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To)? ParsePeriod(string? from, string? to, out string? error)
    {
        string? problem = null;
        var now = time.GetUtcNow();
        DateTimeOffset? Day(string? text, string name)
        {
            if (string.IsNullOrWhiteSpace(text))
                return null;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            problem ??= $"{name} '{text}' is not a day: use yyyy-MM-dd, e.g. {now:yyyy-MM-dd}.";
            return null;
        }
        var start = Day(from, "from");
        var endDay = Day(to, "to");
        error = problem;
        if (error is not null)
            return null;
        var end = endDay is { } e ? e.AddDays(1) : now;
        var begin = start ?? end - DefaultPeriod;
        if (begin >= end)
        {
            error = $"from ({begin:yyyy-MM-dd}) must be on or before to ({end.AddDays(-1):yyyy-MM-dd}).";
            return null;
        }
        return (begin, end);
    }

    public async Task<ComplianceReport> BuildAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var runs = await runQueries.ListAllAsync(cancellationToken);
        var decisions = new Dictionary<string, IReadOnlyList<GateDecision>>(StringComparer.Ordinal);
        foreach (var run in runs.Where(r => r.StartedAt >= from && r.StartedAt < to))
            decisions[run.Id] = await runQueries.DecisionsAsync(run.Id, cancellationToken);
        return ComplianceReport.Build(from, to, time.GetUtcNow(), await archive.ListAsync(cancellationToken), runs, decisions,
            await incidents.ListAllAsync(cancellationToken), await audit.ReadAsync(cancellationToken), incidents.Tiers);
    }
}
