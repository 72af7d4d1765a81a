using System.Globalization;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.PostMortems;
using DrBot.Runbooks.Runs;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Drills;

/// <summary>
/// The criteria of a Live-mode drill (a planned exercise on the real systems): the planned switchover
/// to the secondary and its validation steps, RTO (writes stopped at the fence until the switched
/// region was validated) and RPO (measured at the promotion) against the tier, the failback, and the
/// primary region serving again with one writable database.
/// </summary>
public sealed class LiveDrillEvaluator(IDatabaseReplica databases, ITrafficRouter traffic, IOptions<DrBotOptions> options)
{
    private readonly TierPolicy _tiers = new(options.Value);

    /// <summary>Steps of the planned switchover and failback that validate the region taken over.</summary>
    public static readonly IReadOnlyList<string> ValidationSteps = ["verify-services", "smoke-tests", "data-consistency"];

    public async Task<IReadOnlyList<CriterionResult>> EvaluateAsync(ExerciseRecord drill, RunRecord? switchover, RunRecord? failback, CancellationToken cancellationToken)
    {
        var tier = _tiers.Get(drill.Tier);
        var primary = drill.Region!;
        var target = drill.Facts[LiveDrillFacts.Target];
        var results = new List<CriterionResult> { RunCriterion($"Planned switchover to {target}", switchover) };
        var rto = Interruption(switchover);
        drill.MeasuredRto = rto;
        results.Add(rto is { } r
            ? new($"RTO < {PostMortemDraft.Span(tier.Rto)}", r < tier.Rto, PostMortemDraft.Span(r), "writes stopped (fence) until the switched region was validated")
            : new($"RTO < {PostMortemDraft.Span(tier.Rto)}", false, "not measured: the switchover did not complete", "writes stopped (fence) until the switched region was validated"));
        var rpo = switchover is not null && switchover.Facts.TryGetValue("rpo_seconds", out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        drill.MeasuredRpo = rpo;
        results.Add(rpo is { } p
            ? new($"Data loss < {PostMortemDraft.Span(tier.Rpo)}", p < tier.Rpo, $"{PostMortemDraft.Span(p)} ({switchover!.Facts.GetValueOrDefault("rpo_basis", "measured at the promotion")})", "measured at the promotion")
            : new($"Data loss < {PostMortemDraft.Span(tier.Rpo)}", false, "not measured: no promotion", "measured at the promotion"));
        results.Add(Validation(target, switchover));
        results.Add(RunCriterion($"Failback to {primary}", failback));
        if (Interruption(failback) is { } back)
            drill.Notes.Add($"Failback interruption {PostMortemDraft.Span(back)} (fence to validated).");
        results.Add(await BackOnPrimaryAsync(primary, cancellationToken));
        return results;
    }

    /// <summary>From the fence (the first production change that stops writes) to the end of a successful run.</summary>
    public static TimeSpan? Interruption(RunRecord? run) =>
        run is { Outcome: RunOutcome.Succeeded, EndedAt: { } end } && run.Step("fence-old-primary")?.StartedAt is { } fenced ? end - fenced : null;

    private static CriterionResult RunCriterion(string name, RunRecord? run)
    {
        if (run is null)
            return new(name, false, "not started", "the run succeeded, its gate approved by a lead");
        var approvals = string.Join(", ", run.Steps.Where(s => s.Status == StepStatus.Approved).Select(s => s.Detail ?? s.Title));
        return new(name, run.Outcome == RunOutcome.Succeeded,
            $"{run.Id} {(run.IsFinished ? run.Outcome.ToString().ToLowerInvariant() : "still running")}{(approvals.Length > 0 ? $"; approved: {approvals}" : "")}",
            "the run succeeded, its gate approved by a lead");
    }

    private static CriterionResult Validation(string target, RunRecord? run)
    {
        var steps = ValidationSteps.Select(id => run?.Step(id)).ToList();
        var passed = steps.All(s => s is { Status: StepStatus.Succeeded });
        return new($"{target} validated after the switchover", passed,
            run is null ? "no switchover run" : string.Join("; ", steps.Select((s, i) => $"{ValidationSteps[i]}: {s?.Status.ToString().ToLowerInvariant() ?? "missing"}{(s?.Detail is { } d ? $" ({d})" : "")}")),
            "services verified, smoke tests and data consistency passed");
    }

    private async Task<CriterionResult> BackOnPrimaryAsync(string primary, CancellationToken cancellationToken)
    {
        var statuses = new List<DatabaseStatus>();
        foreach (var region in options.Value.Regions.Keys)
            statuses.Add(await databases.GetStatusAsync(region, cancellationToken));
        var endpoints = await traffic.GetEndpointsAsync(cancellationToken);
        var serving = endpoints.Where(e => e.Enabled).Select(e => e.Region).ToList();
        var own = statuses.FirstOrDefault(s => string.Equals(s.Region, primary, StringComparison.OrdinalIgnoreCase));
        var ok = own is { Reachable: true, IsPrimary: true } && serving.Count == 1 && string.Equals(serving[0], primary, StringComparison.OrdinalIgnoreCase);
        return new($"Back on {primary}", ok,
            $"{primary} database {(own is { Reachable: true } ? own.IsPrimary ? "primary" : "replica" : "unreachable")}; traffic to {(serving.Count == 0 ? "nothing" : string.Join(", ", serving))}",
            $"{primary}'s database primary and only {primary} serving traffic");
    }
}

/// <summary>What a Live-mode drill keeps in its facts between observations.</summary>
public static class LiveDrillFacts
{
    public const string Target = "target";
    public const string Phase = "phase";
    public const string SwitchoverRun = "switchover-run";
    public const string FailbackRun = "failback-run";

    public const string Switchover = "switchover";
    public const string Rejoin = "rejoin";
    public const string Failback = "failback";
}
