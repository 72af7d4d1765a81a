using System.Globalization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.PostMortems;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Drills;

/// <summary>
/// Checks the strategy's validation criteria of a chaos drill through the infrastructure ports
/// (database status, health probes, cluster environment) and the recorded runs, and says per
/// criterion what was measured against what is required.
/// </summary>
public sealed class DrillEvaluator(IDatabaseReplica databases, IHealthProbe health, IClusterManager clusters, IRunStore runs, IOptions<DrBotOptions> options, IOptions<DrillOptions> drillOptions)
{
    private readonly TierPolicy _tiers = new(options.Value);

    public async Task<IReadOnlyList<CriterionResult>> EvaluateAsync(ExerciseRecord drill, CancellationToken cancellationToken) => drill.Kind switch
    {
        ExerciseKinds.RegionFailure => await RegionFailureAsync(drill, cancellationToken),
        ExerciseKinds.DatabaseFailure => await DatabaseFailureAsync(drill, cancellationToken),
        ExerciseKinds.NetworkPartition => await NetworkPartitionAsync(drill, cancellationToken),
        ExerciseKinds.CascadingFailure => CascadingFailure(drill),
        _ => throw new ArgumentException($"'{drill.Kind}' is not a chaos drill (valid: {string.Join(", ", ExerciseKinds.ChaosScenarios)}).", nameof(drill)),
    };

    /// <summary>The latest run of one of <paramref name="runbooks"/> started after the fault was injected.</summary>
    public async Task<RunRecord?> FailoverAfterAsync(ExerciseRecord drill, IReadOnlyList<string> runbooks, CancellationToken cancellationToken) =>
        (await runs.ListRunsAsync(unfinishedOnly: false, cancellationToken))
            .Where(r => !r.Practice && runbooks.Contains(r.Runbook) && r.StartedAt >= drill.StartedAt)
            .MaxBy(r => r.StartedAt);

    private async Task<List<CriterionResult>> RegionFailureAsync(ExerciseRecord drill, CancellationToken cancellationToken)
    {
        var tier = _tiers.Get(drill.Tier);
        var run = await FailoverAfterAsync(drill, ["region-failover"], cancellationToken);
        var results = new List<CriterionResult>
        {
            run is null
                ? new("Failover triggered", false, "no region failover started after the fault", "a region-failover run")
                : new("Failover triggered", true, $"{run.Id} started by {run.StartedBy} {PostMortemDraft.Span(run.StartedAt - drill.StartedAt)} after the fault", "a region-failover run"),
        };
        results.Add(Rto(drill, run, tier.Rto));
        results.Add(Rpo(drill, run, tier.Rpo));
        return results;
    }

    private async Task<List<CriterionResult>> DatabaseFailureAsync(ExerciseRecord drill, CancellationToken cancellationToken)
    {
        var tier = _tiers.Get(drill.Tier);
        var results = new List<CriterionResult>();
        DatabaseStatus? promoted = null;
        foreach (var region in options.Value.Regions.Keys.Where(r => !string.Equals(r, drill.Region, StringComparison.OrdinalIgnoreCase)))
        {
            var status = await databases.GetStatusAsync(region, cancellationToken);
            if (status is { Reachable: true, IsPrimary: true })
                promoted = status;
        }
        results.Add(promoted is null
            ? new("Replica promoted", false, "no other region's database is a writable primary", "a replica promoted to primary")
            : new("Replica promoted", true, promoted.Detail, "a replica promoted to primary"));

        var reconnected = promoted is null ? null : await ReconnectedAsync(drill, promoted.Region, cancellationToken);
        results.Add(reconnected is { } found
            ? new("Application reconnected", true, found, "core-api's DATABASE_URL on the promoted database and its health passing")
            : new("Application reconnected", false, promoted is null ? "nothing to reconnect to" : "no region runs a healthy core-api pointing at the promoted database", "core-api's DATABASE_URL on the promoted database and its health passing"));

        if (promoted is null)
            results.Add(new("No data corruption", false, "no promoted database to check", "checksums equal, drill marker present"));
        else
        {
            var consistency = await databases.CheckConsistencyAsync(promoted.Region, drill.Facts.GetValueOrDefault(DrillFacts.Marker, ""), cancellationToken);
            results.Add(new("No data corruption", consistency.Consistent, consistency.Detail, "checksums equal, drill marker present"));
        }
        var run = await FailoverAfterAsync(drill, ["database-failover", "region-failover"], cancellationToken);
        results.Add(Rto(drill, run, tier.Rto));
        return results;
    }

    private async Task<string?> ReconnectedAsync(ExerciseRecord drill, string promotedRegion, CancellationToken cancellationToken)
    {
        var host = drill.Facts.GetValueOrDefault(DrillFacts.Host(promotedRegion));
        foreach (var (region, settings) in options.Value.Regions)
        {
            // Drills run in the simulated world, whose namespace is the demo's when none is configured.
            var url = await clusters.GetEnvironmentAsync(region, settings.Cluster.Namespace ?? Infrastructure.Simulated.SimulatedWorldLayout.DefaultNamespace,
                settings.Cluster.ApplicationDeployment ?? "core-api", settings.Cluster.DatabaseUrlVariable ?? "DATABASE_URL", cancellationToken);
            if (url is null || host is null || !url.Contains(host, StringComparison.OrdinalIgnoreCase))
                continue;
            var probe = (await health.ProbeAsync(region, cancellationToken)).Probes.FirstOrDefault(p => p.Service == "core-api");
            if (probe is { Healthy: true })
                return $"core-api in {region}: DATABASE_URL → {host}, health {probe.Detail}";
        }
        return null;
    }

    private async Task<List<CriterionResult>> NetworkPartitionAsync(ExerciseRecord drill, CancellationToken cancellationToken)
    {
        var statuses = new List<DatabaseStatus>();
        foreach (var region in options.Value.Regions.Keys)
            statuses.Add(await databases.GetStatusAsync(region, cancellationToken));
        var writable = statuses.Where(s => s is { Reachable: true, IsPrimary: true }).Select(s => s.Region).ToList();
        var results = new List<CriterionResult>
        {
            new("Split-brain prevented", writable.Count == 1, $"{writable.Count} writable primar{(writable.Count == 1 ? "y" : "ies")}{(writable.Count == 0 ? "" : $": {string.Join(", ", writable)}")}", "exactly one writable primary"),
        };

        var probes = new List<ServiceProbe>();
        var answering = 0;
        foreach (var region in options.Value.Regions.Keys)
        {
            var regionHealth = await health.ProbeAsync(region, cancellationToken);
            probes.AddRange(regionHealth.Probes);
            answering += regionHealth.Probes.Any(p => p.Healthy) ? 1 : 0;
        }
        // EventStore gossip endpoints, where configured, are the real quorum; else regions answering.
        var members = probes.Where(p => p.Service.Contains("eventstore", StringComparison.OrdinalIgnoreCase) || p.Target.Contains("/gossip", StringComparison.OrdinalIgnoreCase)).ToList();
        var (alive, total, what) = members.Count > 0
            ? (members.Count(m => m.Healthy), members.Count, "EventStore members alive")
            : (answering, options.Value.Regions.Count, "regions answering health checks");
        results.Add(new("Quorum maintained", alive * 2 > total, $"{alive} of {total} {what}", "a majority"));

        var replica = statuses.FirstOrDefault(s => string.Equals(s.Region, drill.Region, StringComparison.OrdinalIgnoreCase));
        var limit = drillOptions.Value.ResumedLagAtMost;
        var healed = drill.ReadTime(DrillFacts.HealedAt) is not null;
        results.Add(replica switch
        {
            _ when !healed => new("Replication resumes", false, "the partition has not healed yet", $"replica lag ≤ {PostMortemDraft.Span(limit)} after healing"),
            null or { Reachable: false } => new("Replication resumes", false, replica?.Detail ?? $"{drill.Region} not found", $"replica lag ≤ {PostMortemDraft.Span(limit)} after healing"),
            { IsPrimary: true } => new("Replication resumes", false, $"{replica.Region} is a primary itself, not replicating", $"replica lag ≤ {PostMortemDraft.Span(limit)} after healing"),
            _ => new("Replication resumes", replica.LagSeconds is { } lag && lag <= limit.TotalSeconds,
                $"lag {(replica.LagSeconds is { } l ? l.ToString("0.#", CultureInfo.InvariantCulture) + " s" : "unknown")} after healing", $"replica lag ≤ {PostMortemDraft.Span(limit)} after healing"),
        });
        return results;
    }

    private List<CriterionResult> CascadingFailure(ExerciseRecord drill)
    {
        var results = new List<CriterionResult>();
        foreach (var service in drillOptions.Value.CascadeServices)
        {
            var rto = _tiers.Find(_tiers.TierFor([service])) is { } t ? t.Rto : _tiers.Get(drill.Tier).Rto;
            var target = $"degradation seen, recovered within {PostMortemDraft.Span(rto)}";
            var failed = drill.ReadTime(DrillFacts.FailedAt(service));
            var down = drill.ReadTime(DrillFacts.SeenDown(service));
            var up = drill.ReadTime(DrillFacts.SeenUp(service));
            string At(DateTimeOffset? at) => at is { } a ? "+" + PostMortemDraft.Span(a - drill.StartedAt) : "never";
            if (failed is null)
                results.Add(new($"{service} degradation and recovery", false, "the fault was never injected", target));
            else if (down is null)
                results.Add(new($"{service} degradation and recovery", false, $"failed {At(failed)}, degradation never seen by the health checks", target));
            else if (up is null)
                results.Add(new($"{service} degradation and recovery", false, $"degraded {At(down)}, not recovered", target));
            else
                results.Add(new($"{service} degradation and recovery", up - failed <= rto,
                    $"failed {At(failed)}, degradation seen {At(down)}, recovered {At(up)} ({PostMortemDraft.Span(up - failed)} down)", target));
        }
        return results;
    }

    /// <summary>Records each cascade service's first failing and first passing health check.</summary>
    public async Task ObserveCascadeAsync(ExerciseRecord drill, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var probes = (await health.ProbeAsync(drill.Region!, cancellationToken)).Probes;
        foreach (var service in drillOptions.Value.CascadeServices)
        {
            if (probes.FirstOrDefault(p => p.Service == service) is not { } probe || drill.ReadTime(DrillFacts.FailedAt(service)) is null)
                continue;
            if (!probe.Healthy && !drill.Facts.ContainsKey(DrillFacts.SeenDown(service)))
                drill.Facts[DrillFacts.SeenDown(service)] = DrillFacts.Time(now);
            else if (probe.Healthy && drill.Facts.ContainsKey(DrillFacts.SeenDown(service)) && !drill.Facts.ContainsKey(DrillFacts.SeenUp(service)))
                drill.Facts[DrillFacts.SeenUp(service)] = DrillFacts.Time(now);
        }
    }

    private static CriterionResult Rto(ExerciseRecord drill, RunRecord? run, TimeSpan target)
    {
        var name = $"RTO < {PostMortemDraft.Span(target)}";
        if (run is not { Outcome: RunOutcome.Succeeded, EndedAt: { } ended })
            return new(name, false, run is null ? "no failover completed" : $"{run.Id} {(run.IsFinished ? run.Outcome.ToString().ToLowerInvariant() : "still running")}", $"failover completed within {PostMortemDraft.Span(target)} of the fault");
        drill.MeasuredRto = ended - drill.StartedAt;
        return new(name, drill.MeasuredRto < target, PostMortemDraft.Span(drill.MeasuredRto), $"failover completed within {PostMortemDraft.Span(target)} of the fault");
    }

    private static CriterionResult Rpo(ExerciseRecord drill, RunRecord? run, TimeSpan target)
    {
        var name = $"Data loss < {PostMortemDraft.Span(target)}";
        if (run is null || !run.Facts.TryGetValue("rpo_seconds", out var text) || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return new(name, false, "not measured (no completed promotion)", $"replication lag at promotion < {PostMortemDraft.Span(target)}");
        drill.MeasuredRpo = TimeSpan.FromSeconds(seconds);
        return new(name, drill.MeasuredRpo < target, PostMortemDraft.Span(drill.MeasuredRpo), $"replication lag at promotion < {PostMortemDraft.Span(target)}");
    }
}
