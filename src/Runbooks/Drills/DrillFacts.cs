using System.Globalization;

namespace DrBot.Runbooks.Drills;

/// <summary>Names and formats of what a drill keeps in <see cref="ExerciseRecord.Facts"/> between start and evaluation.</summary>
public static class DrillFacts
{
    public const string Marker = "marker";

    public static string Host(string region) => $"host:{region}";
    public static string FailedAt(string service) => $"failed:{service}";
    public static string SeenDown(string service) => $"seen-down:{service}";
    public static string SeenUp(string service) => $"seen-up:{service}";
    public static string RestoredAt(string service) => $"restored:{service}";
    public const string HealedAt = "healed";

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ReadTime(this ExerciseRecord drill, string key) =>
        drill.Facts.TryGetValue(key, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
}
