using System.Globalization;
using CsCheck;

namespace DrBot.Bot.Tests.Fuzzing;

/// <summary>
/// Generators for the fuzz tests: valid samples broken in small random ways, random JSON built from
/// the keys the parsers look for, and command-like token strings. The number of cases scales with
/// <c>DRBOT_FUZZ_SCALE</c> (1 in the normal run; e.g. 100 for a long run, see the README).
/// </summary>
internal static class FuzzInputs
{
    public static int Scale { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("DRBOT_FUZZ_SCALE"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;

    public static long Cases(int normal) => (long)normal * Scale;

    private static readonly string[] Keys =
    [
        "type", "status", "alerts", "labels", "annotations", "startsAt", "endsAt", "fingerprint", "alertname", "region", "severity",
        "schemaId", "data", "essentials", "alertContext", "monitorCondition", "alertRule", "firedDateTime", "name", "id", "title",
        "text", "from", "recipient", "conversation", "channelData", "tenant", "value", "action", "verb", "runId", "stepId", "version",
        "user", "actions", "container", "channel", "event", "challenge", "payload", "blocks", "aadObjectId", "serviceUrl", "channelId",
    ];

    private static readonly string[] Oddities =
        ["", "\0", "\uFFFF", "\uD800", "null", "-1", "1e309", "9999999999999999999999", "NaN", "true", "{}", "[]", "\"", "\\", "%00", "<at>x</at>", new string('a', 5000)];

    public static readonly Gen<string> Text =
        Gen.OneOf(Gen.String[0, 40], Gen.String[Gen.Char.AlphaNumeric, 0, 12], Gen.OneOf(Oddities));

    /// <summary>Random JSON whose keys are the parsers' own, nested up to <paramref name="depth"/>.</summary>
    public static Gen<string> Json(int depth = 3)
    {
        var scalar = Gen.OneOf(
            Text.Select(t => System.Text.Json.JsonSerializer.Serialize(t)),
            Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
            Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0"),
            Gen.OneOf("true", "false", "null", "\"2026-03-01T10:00:00Z\"", "\"firing\"", "\"resolved\"", "\"message\"", "\"block_actions\""));
        if (depth == 0)
            return scalar;
        var inner = Json(depth - 1);
        var obj = Gen.Select(Gen.OneOf(Keys), inner).Array[0, 6]
            .Select(pairs => "{" + string.Join(",", pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}");
        var arr = inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]");
        return Gen.Frequency<string>((3, (IGen<string>)obj), (1, arr), (1, scalar));
    }

    /// <summary>A valid sample with one to four random edits: insert, delete, duplicate or replace.</summary>
    public static Gen<string> Mutations(params string[] seeds) =>
        Gen.Select(Gen.OneOf(seeds), Gen.Int[1, 4].SelectMany(n => Edit.Array[n, n])).Select(x => x.Item2.Aggregate(x.Item1, (s, e) => e(s)));

    private static readonly Gen<Func<string, string>> Edit = Gen.OneOf(
        Gen.Select(Gen.Double[0, 1], Text).Select<(double, string), Func<string, string>>(a => s => s.Insert((int)(a.Item1 * s.Length), a.Item2)),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 30]).Select<(double, int), Func<string, string>>(a => s =>
        {
            var at = (int)(a.Item1 * s.Length);
            return s.Remove(at, Math.Min(a.Item2, s.Length - at));
        }),
        Gen.Select(Gen.Double[0, 1], Gen.Int[1, 60]).Select<(double, int), Func<string, string>>(a => s =>
        {
            var at = (int)(a.Item1 * s.Length);
            return s.Insert(at, s.Substring(at, Math.Min(a.Item2, s.Length - at)));
        }),
        Gen.Select(Gen.Double[0, 1], Gen.OneOf('{', '}', '[', ']', '"', ',', ':', '0', 'x', '\\', ' ', '\u00e9'))
            .Select<(double, char), Func<string, string>>(a => s =>
            {
                if (s.Length == 0)
                    return s;
                var at = Math.Min(s.Length - 1, (int)(a.Item1 * s.Length));
                return string.Concat(s.AsSpan(0, at), a.Item2.ToString(), s.AsSpan(at + 1));
            }));

    private static readonly string[] Words =
    [
        "failover", "failover-db", "failover-app", "failback", "runbooks", "runbook", "incident", "open", "ack", "acknowledge", "resolve",
        "close", "status", "commander", "update", "approve", "reject", "cancel", "drill", "region-down", "lag", "clear", "audit", "verify",
        "help", "?", "west-us", "east-us", "north-europe", "P1", "P2", "P3", "P4", "P0", "run-1", "run-999", "INC-0001", "approve-failover",
        "@bob", "90", "-5", "region-failover", "/failover", "/incident", "<at>DrBot</at>",
    ];

    public static readonly Gen<string> Commands = Gen.OneOf(
        Gen.OneOf(Gen.OneOf(Words), Text).Array[0, 8].Select(w => string.Join(" ", w)),
        Gen.OneOf(Gen.OneOf(Words), Text).Array[0, 6].Select(w => string.Join("\t\n ", w)),
        Text);
}
