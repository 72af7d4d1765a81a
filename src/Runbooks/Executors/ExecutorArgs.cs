using System.Globalization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;

namespace DrBot.Runbooks.Executors;

/// <summary>Reading executor arguments and turning port results into step results.</summary>
internal static class ExecutorArgs
{
    public static string Text(this StepContext context, string name, string? fallback = null)
    {
        if (context.Args.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
        {
            return value;
        }
        return fallback ?? throw new ArgumentException($"Step '{context.Step.Id}' needs the argument '{name}'.");
    }

    public static string Region(this StepContext context) => context.Text("region", context.Run.Region);

    /// <summary>The <c>namespace</c> argument, else the region's configured namespace (see <see cref="RegionApplicationSettings"/>).</summary>
    public static string Namespace(this StepContext context, RegionApplicationSettings? settings, string region) =>
        context.Args.TryGetValue("namespace", out var ns) && !string.IsNullOrWhiteSpace(ns)
            ? ns
            : (settings ?? RegionApplicationSettings.Simulated).Namespace(region);

    public static double? Number(this StepContext context, string name) =>
        context.Args.TryGetValue(name, out var value)
        && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    public static string Invariant(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static StepResult ToStepResult(this InfraActionResult result, IReadOnlyDictionary<string, string>? facts = null) =>
        result switch
        {
            { Succeeded: true } => StepResult.Ok(result.AlreadyDone ? $"{result.Detail} (already done)" : result.Detail, facts),
            { Transient: true } => StepResult.Retry(result.Detail),
            _ => StepResult.Fail(result.Detail, facts: facts),
        };

    public static Dictionary<string, string> Facts(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
