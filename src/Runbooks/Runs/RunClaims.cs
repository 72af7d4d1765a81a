namespace DrBot.Runbooks.Runs;

/// <summary>The key a run holds while unfinished: one run per runbook and target region (a child run holds its own).</summary>
public static class RunClaims
{
    public static string Key(string runbook, string region) =>
        $"run-active:{runbook.ToLowerInvariant()}:{region.ToLowerInvariant()}";
}
