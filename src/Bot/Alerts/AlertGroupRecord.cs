using System.Text.Json;

namespace DrBot.Bot.Alerts;

/// <summary>One alert occurrence as its group's card shows it (<paramref name="Action"/>: what the rules decided, in words).</summary>
public sealed record AlertLine(string Key, string Name, string Status, string? Region, double? Value, string Summary, string Action, DateTimeOffset StartsAt);

/// <summary>
/// What is on record for one alert group (store value <c>alertgroup:&lt;group key&gt;</c>): the alert
/// occurrences seen, as the group's card shows them, newest last. The record is the deduplication: an
/// occurrence already on it in the same status, or already resolved, is a re-delivery. Each write
/// claims the record's next <see cref="Version"/>, so two writers of one group never both win.
/// </summary>
public sealed class AlertGroupRecord
{
    /// <summary>Resolved lines beyond this many are dropped, oldest first, so a long-lived group's record stays small.</summary>
    public const int MaxLines = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private Dictionary<string, AlertLine>? _byKey;

    public int Version { get; init; }

    public List<AlertLine> Lines { get; init; } = [];

    private Dictionary<string, AlertLine> ByKey => _byKey ??= Lines.GroupBy(l => l.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    /// <summary>Every alert on record has resolved: the record may be pruned once it has been quiet for a while.</summary>
    public bool IsResolved => Lines.TrueForAll(l => l.Status == Resolved);

    /// <summary>True when the occurrence is not on record yet, or is on record firing and now resolves.</summary>
    public bool IsNew(NormalizedAlert alert) =>
        !ByKey.TryGetValue(alert.DedupKey, out var line) || (line.Status == Firing && alert.Status == AlertStatus.Resolved);

    /// <summary>Puts the occurrence on record (replacing its earlier line) as the newest line.</summary>
    public void Apply(NormalizedAlert alert, AlertDecision decision)
    {
        if (ByKey.Remove(alert.DedupKey))
            Lines.RemoveAll(l => l.Key == alert.DedupKey);
        var line = new AlertLine(alert.DedupKey, alert.Name, alert.Status == AlertStatus.Firing ? Firing : Resolved, alert.Region, alert.Value,
            alert.Summary, decision.Reason, alert.StartsAt);
        Lines.Add(line);
        ByKey[line.Key] = line;
        DropOldResolvedLines();
    }

    /// <summary>This record as the next version, as stored.</summary>
    public string WriteNextVersion() => JsonSerializer.Serialize(new AlertGroupRecord { Version = Version + 1, Lines = Lines }, Json);

    public static AlertGroupRecord Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return new AlertGroupRecord();
        // Records written before versions were a bare list of lines.
        if (json.TrimStart().StartsWith('['))
            return new AlertGroupRecord { Lines = JsonSerializer.Deserialize<List<AlertLine>>(json, Json) ?? [] };
        return JsonSerializer.Deserialize<AlertGroupRecord>(json, Json) ?? new AlertGroupRecord();
    }

    private void DropOldResolvedLines()
    {
        var excess = Lines.Count - MaxLines;
        for (var i = 0; excess > 0 && i < Lines.Count;)
        {
            if (Lines[i].Status == Resolved)
            {
                ByKey.Remove(Lines[i].Key);
                Lines.RemoveAt(i);
                excess--;
            }
            else
            {
                i++;
            }
        }
    }

    private const string Firing = "firing";
    private const string Resolved = "resolved";
}
