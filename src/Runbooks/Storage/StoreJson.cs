using System.Text.Json;
using System.Text.Json.Serialization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Storage;

/// <summary>
/// How stores write records as JSON text: one format for every store, so a record written by the
/// LiteDB store and one written by the PostgreSQL store read back the same.
/// </summary>
public static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new StoreUnavailableException($"The store holds an empty {typeof(T).Name} record.");

    /// <summary>
    /// Reads a run and restores the case-insensitive facts dictionary that JSON cannot carry, so
    /// gate conditions find <c>replication_lag_seconds</c> whatever its spelling.
    /// </summary>
    public static RunRecord ReadRun(string json)
    {
        var run = Read<RunRecord>(json);
        run.Facts = new Dictionary<string, string>(run.Facts, StringComparer.OrdinalIgnoreCase);
        return run;
    }
}
