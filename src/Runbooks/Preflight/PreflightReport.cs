using System.Text.Json.Serialization;
using DrBot.Runbooks.Executors.Rehearsals;

namespace DrBot.Runbooks.Preflight;

/// <summary>One step (or one parallel check) of a runbook, as the pre-flight found it.</summary>
public sealed record StepReadiness(string StepId, string Title, Readiness Readiness, string Reason);

/// <summary>One runbook towards one target region: its worst step decides.</summary>
public sealed record RunbookReadiness(string Runbook, string Title, string Region, string? FromRegion, IReadOnlyList<StepReadiness> Steps)
{
    [JsonIgnore]
    public Readiness Readiness => Steps.Count == 0 ? Readiness.Ready : Steps.Max(s => s.Readiness);

    /// <summary>The steps that are not ready, worst first.</summary>
    [JsonIgnore]
    public IEnumerable<StepReadiness> Problems => Steps.Where(s => s.Readiness != Readiness.Ready).OrderByDescending(s => s.Readiness);

    [JsonIgnore]
    public string Key => $"{Runbook}:{Region}";
}

/// <summary>Every runbook that can fail over a region, towards every region it could fail over to, at one moment.</summary>
public sealed record PreflightReport(DateTimeOffset At, IReadOnlyList<RunbookReadiness> Runbooks)
{
    public RunbookReadiness? For(string runbook, string region) =>
        Runbooks.FirstOrDefault(r => string.Equals(r.Runbook, runbook, StringComparison.OrdinalIgnoreCase) && string.Equals(r.Region, region, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A runbook's readiness changed between two pre-flights (<paramref name="Before"/> null: first seen).</summary>
public sealed record ReadinessChange(RunbookReadiness Now, Readiness? Before)
{
    /// <summary>Worse than before: the channel is warned once, on this change.</summary>
    public bool TurnedWorse => Now.Readiness > (Before ?? Readiness.Ready);
}
