using DrBot.Runbooks.Drills;

namespace DrBot.Runbooks.Validation;

/// <summary>What a validation found: each criterion with its measured value, notes, and the measured restore time (backup-restore).</summary>
public sealed record ValidationOutcome(IReadOnlyList<CriterionResult> Criteria, IReadOnlyList<string> Notes, TimeSpan? RestoreTime = null)
{
    public bool Passed => Criteria.Count > 0 && Criteria.All(c => c.Passed);
}
