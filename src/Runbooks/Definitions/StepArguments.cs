using System.Text.RegularExpressions;
using DrBot.Runbooks.Engine;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// Resolves the placeholders of step arguments: <c>{region}</c> (the run's target region),
/// <c>{from}</c> (the region being left), <c>{run}</c>, <c>{incident}</c> and <c>{fact:name}</c>.
/// </summary>
public static partial class StepArguments
{
    public static readonly IReadOnlyList<string> Placeholders = ["{region}", "{from}", "{run}", "{incident}", "{fact:<name>}"];

    public static IReadOnlyDictionary<string, string> Resolve(IReadOnlyDictionary<string, string> args, RunRecord run)
    {
        var resolved = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in args)
        {
            resolved[key] = Resolve(value, run);
        }
        return resolved;
    }

    public static string Resolve(string value, RunRecord run) =>
        PlaceholderPattern().Replace(value, match =>
        {
            var name = match.Groups["name"].Value;
            if (name.StartsWith("fact:", StringComparison.OrdinalIgnoreCase))
            {
                return run.Facts.TryGetValue(name[5..], out var fact) ? fact : "";
            }
            return name.ToLowerInvariant() switch
            {
                "region" => run.Region,
                "from" => run.FromRegion ?? "",
                "run" => run.Id,
                "incident" => run.IncidentId ?? "",
                _ => match.Value,
            };
        });

    /// <summary>
    /// A title for people: a parenthesised clause whose fact is not known leaves the title
    /// ("Accept possible data loss (lag {fact:x} s)" reads "Accept possible data loss"), and any other
    /// unknown fact reads "unknown", so a title never shows a hole.
    /// </summary>
    public static string ResolveTitle(string title, RunRecord run)
    {
        var withoutUnknownClauses = ClauseWithFact().Replace(title, clause =>
            FactPattern().Matches(clause.Value).All(fact => KnownFact(run, fact) is not null) ? clause.Value : "");
        var withKnownFacts = FactPattern().Replace(withoutUnknownClauses, fact => KnownFact(run, fact) ?? "unknown");
        return Resolve(withKnownFacts, run);
    }

    private static string? KnownFact(RunRecord run, Match fact) =>
        run.Facts.TryGetValue(fact.Groups["fact"].Value, out var value) && value.Length > 0 ? value : null;

    /// <summary>The placeholders in <paramref name="value"/> that <see cref="Resolve(string, RunRecord)"/> does not know.</summary>
    public static IEnumerable<string> UnknownPlaceholders(string value) =>
        PlaceholderPattern().Matches(value)
            .Select(m => m.Groups["name"].Value)
            .Where(name => !name.StartsWith("fact:", StringComparison.OrdinalIgnoreCase) && !KnownNames.Contains(name))
            .Select(name => "{" + name + "}");

    private static readonly HashSet<string> KnownNames = new(["region", "from", "run", "incident"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{fact:(?<fact>[A-Za-z0-9_\-]+)\}", RegexOptions.IgnoreCase)]
    private static partial Regex FactPattern();

    [GeneratedRegex(@"\s*\([^()]*\{fact:[^()]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex ClauseWithFact();

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_:\-]*)\}")]
    private static partial Regex PlaceholderPattern();
}
