using System.Globalization;

namespace DrBot.Runbooks.Drills;

/// <summary>
/// One line of the testing schedule (<c>DrBot:Drills:Schedule:&lt;name&gt;</c>): which exercise, how
/// often (<c>daily</c>, <c>weekly</c>, <c>monthly</c> or an interval such as <c>12:00:00</c>), at what
/// time of day (UTC), on which day (weekday name for weekly, 1–28 for monthly).
/// </summary>
public sealed class DrillScheduleEntry
{
    public bool Enabled { get; set; } = true;
    /// <summary>A chaos scenario or a validation (<see cref="ExerciseKinds.All"/>).</summary>
    public string Exercise { get; set; } = "";
    public string Every { get; set; } = "weekly";
    /// <summary>Time of day, UTC, <c>HH:mm</c>.</summary>
    public string At { get; set; } = "03:00";
    /// <summary>Weekly: a day name (Tuesday); monthly: a day of the month, 1–28.</summary>
    public string? Day { get; set; }
    public string? Region { get; set; }

    /// <summary>What is wrong with this entry, or null. <paramref name="name"/> names it in the message.</summary>
    public string? Problem(string name)
    {
        var key = $"DrBot:Drills:Schedule:{name}";
        if (!ExerciseKinds.All.Contains(Exercise))
            return $"{key}:Exercise '{Exercise}' is not an exercise (valid: {string.Join(", ", ExerciseKinds.All)}).";
        if (!TimeOnly.TryParseExact(At, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return $"{key}:At '{At}' is not a UTC time of day (HH:mm, e.g. 03:00).";
        return Every.ToLowerInvariant() switch
        {
            "daily" => null,
            "weekly" => Enum.TryParse<DayOfWeek>(Day ?? "Monday", ignoreCase: true, out _) ? null : $"{key}:Day '{Day}' is not a day of the week (Monday … Sunday).",
            "monthly" => int.TryParse(Day ?? "1", NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= 28 ? null : $"{key}:Day '{Day}' is not a day of the month from 1 to 28.",
            _ => TimeSpan.TryParse(Every, CultureInfo.InvariantCulture, out var interval) && interval >= TimeSpan.FromMinutes(1) ? null
                : $"{key}:Every '{Every}' is not daily, weekly, monthly or an interval of at least 00:01:00.",
        };
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after)
    {
        var time = TimeOnly.ParseExact(this.At, "HH:mm", CultureInfo.InvariantCulture);
        var day = after.UtcDateTime.Date;
        DateTimeOffset On(DateTime date) => new(date.Add(time.ToTimeSpan()), TimeSpan.Zero);
        switch (Every.ToLowerInvariant())
        {
            case "daily":
                return On(day) > after ? On(day) : On(day.AddDays(1));
            case "weekly":
                var weekday = Enum.Parse<DayOfWeek>(Day ?? "Monday", ignoreCase: true);
                for (var d = day; ; d = d.AddDays(1))
                    if (d.DayOfWeek == weekday && On(d) > after)
                        return On(d);
            case "monthly":
                var dom = int.Parse(Day ?? "1", CultureInfo.InvariantCulture);
                for (var month = new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc); ; month = month.AddMonths(1))
                    if (On(month.AddDays(dom - 1)) > after)
                        return On(month.AddDays(dom - 1));
            default:
                // An interval counts from the time of day of the first day: 03:00, 15:00 … for 12:00:00.
                var interval = TimeSpan.Parse(Every, CultureInfo.InvariantCulture);
                var next = On(day);
                while (next <= after)
                    next += interval;
                return next;
        }
    }

    public string Describe() => Every.ToLowerInvariant() switch
    {
        "daily" => $"daily at {At} UTC",
        "weekly" => $"weekly on {Day ?? "Monday"} at {At} UTC",
        "monthly" => $"monthly on day {Day ?? "1"} at {At} UTC",
        _ => $"every {Every} from {At} UTC",
    };
}

/// <summary>Where one schedule line stands: the occurrence waiting for a decision, and the last start.</summary>
public sealed record DrillScheduleState(
    string Name,
    DateTimeOffset? PendingSince = null,
    DateTimeOffset? DueAt = null,
    int Postponements = 0,
    bool Escalated = false,
    DateTimeOffset? LastStartedAt = null,
    string? LastExerciseId = null,
    string? LastDecisionBy = null)
{
    public static string Key(string name) => $"drill-schedule:{name}";

    public bool IsPending => PendingSince is not null;
}
