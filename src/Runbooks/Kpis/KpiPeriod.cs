using System.Globalization;

namespace DrBot.Runbooks.Kpis;

/// <summary>The window KPIs are computed over: the last <c>Nd</c> / <c>Nh</c> days or hours, or <c>all</c>.</summary>
public sealed record KpiPeriod(string Label, DateTimeOffset? From, DateTimeOffset To)
{
    public const string Default = "30d";
    public const string Valid = "a number of days or hours (7d, 30d, 90d, 24h) or all";

    public bool Contains(DateTimeOffset at) => (From is null || at >= From) && at <= To;

    /// <summary>Null with <paramref name="error"/> set when the text is not a period.</summary>
    public static KpiPeriod? Parse(string? text, DateTimeOffset now, out string? error)
    {
        error = null;
        var value = string.IsNullOrWhiteSpace(text) ? Default : text.Trim().ToLowerInvariant();
        if (value == "all")
            return new KpiPeriod("all time", null, now);
        if (value.Length >= 2 && int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 3650)
        {
            switch (value[^1])
            {
                case 'd':
                    return new KpiPeriod($"last {n} days", now - TimeSpan.FromDays(n), now);
                case 'h':
                    return new KpiPeriod($"last {n} hours", now - TimeSpan.FromHours(n), now);
            }
        }
        error = $"'{text}' is not a period: use {Valid}.";
        return null;
    }
}
