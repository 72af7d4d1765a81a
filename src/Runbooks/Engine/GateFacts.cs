using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// The facts an approval card shows, reduced to what matters for the decision: the target and the
/// region left, the plan version (a hash of the runbook definition), each pre-check passed or failed,
/// replication lag and data-loss bound as within or over <see cref="LagThresholdSeconds"/>, and the
/// fencing state. The card carries <see cref="Digest"/>; an approval whose digest no longer matches is
/// refused. Lag going from 12 s to 14 s changes nothing; crossing the threshold does.
/// </summary>
public sealed class GateFacts
{
    /// <summary>The strategy's data-loss line (RPO of the critical tier is 5 min; the runbooks ask above 60 s).</summary>
    public const int LagThresholdSeconds = 60;

    private static readonly string[] LagFacts = ["replication_lag_seconds", "rpo_bound_seconds"];

    private GateFacts(IReadOnlyList<GateFact> facts, string planVersion)
    {
        Facts = facts;
        PlanVersion = planVersion;
        Digest = Hash(string.Join("\n", facts.Select(f => $"{f.Key}={f.Value}")), 16);
    }

    public IReadOnlyList<GateFact> Facts { get; }

    /// <summary>A hash of the runbook definition: an edited plan has another version.</summary>
    public string PlanVersion { get; }

    /// <summary>What the card sends back with an approval.</summary>
    public string Digest { get; }

    /// <summary>The facts of <paramref name="run"/> waiting at <paramref name="gateId"/> (steps before the gate).</summary>
    public static GateFacts Of(RunRecord run, RunbookDefinition definition, string gateId)
    {
        var plan = PlanVersionOf(definition);
        var facts = new List<GateFact>
        {
            new("target", run.Region, run.Region),
            new("from", run.FromRegion ?? "-", run.FromRegion ?? "-"),
            new("plan", plan, $"version {plan}"),
        };
        foreach (var step in definition.Steps.TakeWhile(s => s.Id != gateId).Where(s => s.Kind == StepKind.Check))
        {
            var record = run.Step(step.Id);
            if (record is null || record.Status is StepStatus.Pending or StepStatus.Skipped or StepStatus.Running)
            {
                continue;
            }
            if (record.Checks.Count > 0)
            {
                facts.AddRange(record.Checks.Select(c => new GateFact($"check {c.Id}", c.Passed ? "passed" : "failed", c.Passed ? "passed" : $"failed ({c.Detail})")));
                continue;
            }
            var passed = record.Status is StepStatus.Succeeded && record.Detail?.Contains("continued anyway", StringComparison.Ordinal) != true;
            facts.Add(new GateFact($"check {step.Id}", passed ? "passed" : "failed", passed ? "passed" : $"failed ({record.Detail})"));
        }
        foreach (var key in LagFacts)
        {
            if (run.Facts.TryGetValue(key, out var raw) && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                var bucket = seconds > LagThresholdSeconds ? $"over {LagThresholdSeconds} s" : $"within {LagThresholdSeconds} s";
                facts.Add(new GateFact(key.Replace('_', ' '), bucket, $"{raw} s ({bucket})"));
            }
        }
        if (run.Facts.TryGetValue("fencing", out var fencing))
        {
            facts.Add(new GateFact("fencing", fencing, fencing));
        }
        return new GateFacts(facts, plan);
    }

    /// <summary>What changed from <paramref name="before"/> to this, one phrase per fact ("check replication-lag: passed → failed (…)").</summary>
    public IReadOnlyList<string> ChangesSince(GateFacts before)
    {
        var old = before.Facts.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var now = Facts.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (var fact in Facts)
        {
            if (!old.TryGetValue(fact.Key, out var was))
                changes.Add($"{fact.Key}: new, {fact.Shown}");
            else if (was.Value != fact.Value)
                changes.Add($"{fact.Key}: {was.Shown} → {fact.Shown}");
        }
        changes.AddRange(before.Facts.Where(f => !now.ContainsKey(f.Key)).Select(f => $"{f.Key}: no longer measured (was {f.Shown})"));
        return changes;
    }

    /// <summary>A short hash of everything that makes up the plan: steps, kinds, executors, arguments, roles, conditions, approvers.</summary>
    public static string PlanVersionOf(RunbookDefinition definition)
    {
        var text = new StringBuilder(definition.Name);
        foreach (var step in definition.Steps.Concat(definition.Steps.SelectMany(s => s.ParallelChecks)))
        {
            text.Append('\n').Append(string.Join('|', step.Id, step.Kind, step.Executor, step.OnFailure, step.Compensation, step.Role,
                step.Condition, step.AllowSelfApproval, step.Approvals, step.Destructive, step.Production,
                string.Join(',', step.Arguments.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"))));
        }
        return Hash(text.ToString(), 8);
    }

    private static string Hash(string text, int hexChars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..hexChars];
}

/// <summary>One fact of a gate: <paramref name="Value"/> is what the digest covers, <paramref name="Shown"/> what a person reads.</summary>
public sealed record GateFact(string Key, string Value, string Shown);
