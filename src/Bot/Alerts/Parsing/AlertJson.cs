using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DrBot.Bot.Alerts.Parsing;

/// <summary>Shared helpers of the three parsers.</summary>
internal static class AlertJson
{
    /// <summary>Deserialises with the source-generated contract; a JSON error names where it happened.</summary>
    public static T? Read<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type, out AlertParseError? error)
        where T : class
    {
        error = null;
        if (body.IsEmpty)
        {
            error = new AlertParseError("$", "the body is empty; send a JSON object");
            return null;
        }
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            if (value is null)
            {
                error = new AlertParseError("$", "the body is JSON null; send a JSON object");
            }
            return value;
        }
        catch (JsonException ex)
        {
            error = Describe(ex);
            return null;
        }
    }

    public static AlertParseError Describe(JsonException ex)
    {
        var field = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
        var where = ex.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {ex.BytePositionInLine + 1})")
            : "";
        // Type errors (a string where a date belongs) carry a path; syntax errors carry a position.
        var what = ex.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "has a value of the wrong type (dates are ISO 8601, e.g. 2026-01-01T00:00:00Z; numbers are JSON numbers; labels are string to string)"
            : "is not well-formed JSON";
        return new AlertParseError(field, what + where);
    }

    public static string Required(string? value) => value ?? "";

    /// <summary>Reads a number from labels/annotations such as <c>value: "42.5"</c>.</summary>
    public static double? Number(IReadOnlyDictionary<string, string>? bag, string key) =>
        bag is not null && bag.TryGetValue(key, out var text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number)
            ? number
            : null;

    public static string Timestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    public static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();
}
