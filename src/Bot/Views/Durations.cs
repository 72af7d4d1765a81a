namespace DrBot.Bot.Views;

/// <summary>Short human durations for cards: 42s, 3m 05s, 1h 12m.</summary>
public static class Durations
{
    public static string Format(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = TimeSpan.Zero;
        if (span.TotalSeconds < 60)
            return $"{span.TotalSeconds:0}s";
        if (span.TotalMinutes < 60)
            return $"{(int)span.TotalMinutes}m {span.Seconds:00}s";
        return $"{(int)span.TotalHours}h {span.Minutes:00}m";
    }

    public static string Clock(DateTimeOffset at) => at.ToUniversalTime().ToString("HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
}
