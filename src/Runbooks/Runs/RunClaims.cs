namespace DrBot.Runbooks.Runs;

/// <summary>The key a run holds while unfinished: one run per runbook and target region (a child run holds its own).</summary>
public static class RunClaims
{
    public static string Key(string runbook, string region) =>
        $"run-active:{runbook.ToLowerInvariant()}:{region.ToLowerInvariant()}";

    /// <summary>A practice's own claim: one practice per runbook and region, never in a real failover's way.</summary>
    public static string PracticeKey(string runbook, string region) => Key($"practice:{runbook}", region);
}
