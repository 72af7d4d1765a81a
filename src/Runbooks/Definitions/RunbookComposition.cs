using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Definitions;

/// <summary>
/// The rules of runbooks that run runbooks (<c>Kind: runbook</c>): the child must exist, and composition
/// is one level deep — a child runs no runbook itself, so neither deeper nesting nor a cycle can start.
/// Checked over the built-in runbooks overlaid with the configured ones, as the catalog will hold them.
/// </summary>
public static class RunbookComposition
{
    public static IReadOnlyList<string> Problems(IReadOnlyDictionary<string, RunbookDefinitionOptions> configured)
    {
        // Every runbook's name → the runbooks its steps run (null for a step that names none).
        var children = new Dictionary<string, List<string?>>(StringComparer.OrdinalIgnoreCase);
        foreach (var builtIn in BuiltInRunbooks.All)
        {
            children[builtIn.Name] = [.. builtIn.Steps.Where(s => s.Kind == StepKind.Runbook).Select(s => s.Runbook)];
        }
        foreach (var (name, runbook) in configured)
        {
            children[name] = [.. runbook.Steps.Where(s => RunbookDefinitionValidator.ParseKind(s.Kind) == StepKind.Runbook).Select(s => s.Runbook)];
        }

        var problems = new List<string>();
        foreach (var (name, runbook) in configured)
        {
            for (var i = 0; i < runbook.Steps.Count; i++)
            {
                var step = runbook.Steps[i];
                if (RunbookDefinitionValidator.ParseKind(step.Kind) != StepKind.Runbook)
                {
                    continue;
                }
                var key = $"{DrBotOptions.Section}:Runbooks:{name}:Steps:{i}:Runbook";
                if (Problem(name, step.Runbook?.Trim(), children) is { } problem)
                {
                    problems.Add($"{key}: {problem}");
                }
            }
        }
        return problems;
    }

    /// <summary>Why <paramref name="parent"/> may not run <paramref name="child"/>, or null when it may.</summary>
    public static string? Problem(string parent, string? child, IReadOnlyDictionary<string, List<string?>> children)
    {
        var valid = string.Join(", ", children.Where(c => c.Value.Count == 0).Select(c => c.Key).Order(StringComparer.Ordinal));
        if (string.IsNullOrWhiteSpace(child))
        {
            return $"a runbook step names the runbook it runs; valid: {valid}";
        }
        if (!children.TryGetValue(child, out var grandchildren))
        {
            return $"unknown runbook '{child}'; valid: {valid}";
        }
        if (string.Equals(parent, child, StringComparison.OrdinalIgnoreCase))
        {
            return $"'{parent}' runs itself: a cycle; a runbook step runs another runbook";
        }
        if (grandchildren.Any(g => string.Equals(g, parent, StringComparison.OrdinalIgnoreCase)))
        {
            return $"'{parent}' runs '{child}', which runs '{parent}': a cycle; composition is one level deep";
        }
        if (grandchildren.Count > 0)
        {
            return $"'{child}' runs other runbooks itself ({string.Join(", ", grandchildren)}); composition is one level deep, so a step may run only a runbook without runbook steps; valid: {valid}";
        }
        return null;
    }
}
