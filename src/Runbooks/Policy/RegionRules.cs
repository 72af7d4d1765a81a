namespace DrBot.Runbooks.Policy;

/// <summary>
/// The strategy's region rules: a <c>backup</c> region holds data only (no application, no traffic
/// endpoint), so it is never the target of a runbook that moves the application there.
/// </summary>
public static class RegionRules
{
    /// <summary>Runbooks that move the application (and its traffic) to their target region.</summary>
    public static readonly IReadOnlySet<string> ApplicationRunbooks = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "region-failover", "planned-switchover", "application-failover", "failback",
    };

    public static bool IsBackup(RegionOptions region) => string.Equals(region.Role, RegionRoles.Backup, StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="region"/> may be the target of <paramref name="runbook"/>; else why not, with the valid targets.</summary>
    public static string? RefuseTarget(DrBotOptions options, string runbook, string region)
    {
        if (!ApplicationRunbooks.Contains(runbook) || !options.Regions.TryGetValue(region, out var target) || !IsBackup(target))
            return null;
        var valid = options.Regions.Where(r => !IsBackup(r.Value) && !string.Equals(r.Key, region, StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Key).Order(StringComparer.Ordinal);
        return $"{region} is a backup region (data only: no application, no traffic endpoint), so it is never a target of {runbook}. Valid targets: {string.Join(", ", valid)}.";
    }
}
