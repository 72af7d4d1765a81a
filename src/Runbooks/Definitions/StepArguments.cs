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

    /// <summary>The placeholders in <paramref name="value"/> that <see cref="Resolve(string, RunRecord)"/> does not know.</summary>
    public static IEnumerable<string> UnknownPlaceholders(string value) =>
        PlaceholderPattern().Matches(value)
            .Select(m => m.Groups["name"].Value)
            .Where(name => !name.StartsWith("fact:", StringComparison.OrdinalIgnoreCase) && !KnownNames.Contains(name))
            .Select(name => "{" + name + "}");

    private static readonly HashSet<string> KnownNames = new(["region", "from", "run", "incident"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{(?<name>[A-Za-z_][A-Za-z0-9_:\-]*)\}")]
    private static partial Regex PlaceholderPattern();
}
