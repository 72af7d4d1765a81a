using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// Fences the old primary before the promotion, so two writable primaries never exist: its traffic
/// endpoint is disabled first (verified), then its database refuses writes (verified by a refused
/// write). An unreachable old primary cannot be fenced now: the step says so in words, and the
/// health monitor fences it as soon as it answers again. With <c>required=true</c> (planned
/// switchover) an unreachable old primary fails the step instead.
/// </summary>
public sealed class FenceExecutor(IDatabaseFence fence, ITrafficRouter traffic, PendingFences pending, TimeProvider time) : IStepExecutor
{
    public const string FencedFact = "fenced_region";
    public const string PendingFact = "fence_pending";
    public const string EndpointFact = "endpoint_disabled_by_fence";

    public string Name => ExecutorNames.Fence;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var required = string.Equals(context.Text("required", "false"), "true", StringComparison.OrdinalIgnoreCase);
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var endpoint = (await traffic.GetEndpointsAsync(cancellationToken))
            .FirstOrDefault(e => string.Equals(e.Region, region, StringComparison.OrdinalIgnoreCase));
        string trafficText;
        if (endpoint is null)
        {
            trafficText = $"{region} has no traffic endpoint";
        }
        else if (!endpoint.Enabled)
        {
            trafficText = $"{region} endpoint already disabled";
        }
        else
        {
            var disabled = await traffic.SetEndpointAsync(region, false, cancellationToken);
            if (!disabled.Succeeded)
                return disabled.ToStepResult();
            facts[EndpointFact] = region;
            trafficText = $"{region} endpoint disabled";
        }

        var result = await fence.FenceAsync(region, cancellationToken);
        switch (result.State)
        {
            case FenceState.Fenced or FenceState.AlreadyFenced:
                facts[FencedFact] = region;
                return StepResult.Ok($"{trafficText}; {result.Detail}", facts);
            case FenceState.Unreachable when required:
                return StepResult.Fail($"{trafficText}; {region} could not be fenced ({result.Detail}): a planned switchover needs the old primary fenced", facts: facts);
            case FenceState.Unreachable:
                var run = context.Run;
                await pending.AddAsync(new PendingFence(region, run.Region, run.Id, run.IncidentId, time.GetUtcNow()), cancellationToken);
                facts[PendingFact] = region;
                return StepResult.Ok($"{trafficText}; {UnreachableWords(region)} ({result.Detail})", facts);
            default:
                return StepResult.Fail($"{trafficText}; {result.Detail}", facts: facts);
        }
    }

    /// <summary>What the approval card and the step say when the old primary cannot be fenced.</summary>
    public static string UnreachableWords(string region) =>
        $"{region} could not be fenced: unreachable — if it comes back it may accept writes; DrBot fences it as soon as the health monitor sees it again";
}

/// <summary>Compensation of the fence (a rollback before the point of no return): writable again, endpoint back on, no pending fence.</summary>
public sealed class UnfenceExecutor(IDatabaseFence fence, ITrafficRouter traffic, PendingFences pending) : IStepExecutor
{
    public string Name => ExecutorNames.Unfence;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var facts = context.Run.Facts;
        var done = new List<string>();
        if (facts.TryGetValue(FenceExecutor.PendingFact, out var p) && p == region)
        {
            await pending.RemoveAsync(region, cancellationToken);
            done.Add($"pending fence of {region} dropped");
        }
        if (facts.TryGetValue(FenceExecutor.FencedFact, out var f) && f == region)
        {
            var unfenced = await fence.UnfenceAsync(region, cancellationToken);
            if (!unfenced.Succeeded) return unfenced.ToStepResult();
            done.Add(unfenced.Detail);
        }
        if (facts.TryGetValue(FenceExecutor.EndpointFact, out var e) && e == region)
        {
            var enabled = await TrafficSwitchExecutor.SetAsync(traffic, region, true, cancellationToken);
            if (enabled.Kind != StepResultKind.Succeeded) return enabled;
            done.Add(enabled.Detail);
        }
        return StepResult.Ok(done.Count == 0 ? $"{region} was not fenced: nothing to undo" : string.Join("; ", done));
    }
}

/// <summary>
/// Promotes the region's cache (<c>REPLICAOF NO ONE</c>, role and a write verified), then makes the old
/// master follow it when it answers (an unreachable one is fenced with its database when it returns).
/// Regions without a configured cache have nothing to promote.
/// </summary>
public sealed class CachePromoteExecutor(ICacheReplica cache) : IStepExecutor
{
    public const string PromotedFact = "cache_promoted";
    public const string DemotedFact = "cache_demoted";

    public string Name => ExecutorNames.CachePromote;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var from = context.Text("from", context.Run.FromRegion);
        var status = await cache.GetStatusAsync(region, cancellationToken);
        if (!status.Reachable && status.Detail.StartsWith("No cache configured", StringComparison.Ordinal))
            return StepResult.Ok($"no cache configured for {region}: nothing to promote");
        var promoted = await cache.PromoteAsync(region, cancellationToken);
        if (!promoted.Succeeded)
            return promoted.ToStepResult();
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!promoted.AlreadyDone) facts[PromotedFact] = region;
        var follow = await cache.FollowAsync(from, region, cancellationToken);
        string oldMaster;
        if (follow.Succeeded)
        {
            if (!follow.AlreadyDone) facts[DemotedFact] = from;
            oldMaster = follow.Detail;
        }
        else
        {
            oldMaster = follow.Transient
                ? $"the old master in {from} does not answer; it is made to follow {region} when it returns ({follow.Detail})"
                : $"the old master in {from} was not changed: {follow.Detail}";
        }
        return StepResult.Ok($"{promoted.Detail}; {oldMaster}", facts);
    }
}

/// <summary>Compensation of the cache promotion: the old master leads again and the promoted cache follows it.</summary>
public sealed class CacheRestoreExecutor(ICacheReplica cache) : IStepExecutor
{
    public string Name => ExecutorNames.CacheRestore;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var from = context.Text("from", context.Run.FromRegion);
        var facts = context.Run.Facts;
        var done = new List<string>();
        if (facts.TryGetValue(CachePromoteExecutor.DemotedFact, out var demoted) && demoted == from)
        {
            var back = await cache.PromoteAsync(from, cancellationToken);
            if (!back.Succeeded) return back.ToStepResult();
            done.Add(back.Detail);
        }
        if (facts.TryGetValue(CachePromoteExecutor.PromotedFact, out var promoted) && promoted == region)
        {
            var follow = await cache.FollowAsync(region, from, cancellationToken);
            if (!follow.Succeeded) return follow.ToStepResult();
            done.Add(follow.Detail);
        }
        return StepResult.Ok(done.Count == 0 ? "the caches were not changed: nothing to undo" : string.Join("; ", done));
    }
}

/// <summary>
/// Pre-check: the region the failover acts on is configured for what will be done to it — its cluster
/// (namespace and access, reached with its credentials) and the database URL its application will get —
/// so a missing key fails before anything changes, naming the key.
/// </summary>
public sealed class RegionConfiguredCheck(IClusterManager cluster, RegionApplicationSettings settings) : IStepExecutor
{
    public string Name => ExecutorNames.RegionConfigured;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var ns = settings.Namespace(region);
        settings.ApplicationUrl(region);
        var credentials = await cluster.GetCredentialsAsync(region, cancellationToken);
        return credentials.Succeeded
            ? StepResult.Ok($"{region}: namespace {ns}, {settings.Deployment(region)}.{settings.Variable(region)} repointed to the configured URL; {credentials.Detail}")
            : StepResult.Fail($"{region}: cluster not reachable with its configured credentials: {credentials.Detail}");
    }
}
