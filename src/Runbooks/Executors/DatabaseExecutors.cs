using System.Globalization;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.Infrastructure.Postgres;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors;

/// <summary>
/// Promotes the region's replica (the point of no return). The RPO it records (<c>rpo_seconds</c>,
/// explained in <c>rpo_basis</c>) is an upper bound from the heartbeat (see <see cref="RpoBound"/>); 0
/// after a planned switchover whose replay of the old primary's last WAL position was verified; the
/// replica's lag (a lower bound, said so) only when no heartbeat was recorded. Already primary = no-op.
/// </summary>
public sealed class DatabasePromoteExecutor(IDatabaseReplica database, IDatabaseHeartbeat? heartbeat = null, HeartbeatLedger? ledger = null, TimeProvider? time = null) : IStepExecutor
{
    public string Name => ExecutorNames.DatabasePromote;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var from = context.Run.FromRegion;
        // One round trip on a warm session before pg_promote (every millisecond here is downtime); the
        // lag is read only when there is no heartbeat to bound the loss with.
        var position = await ReadPositionAsync(region, cancellationToken);
        var last = from is null || ledger is null ? null : await ledger.GetAsync(from, cancellationToken);
        var clock = time ?? TimeProvider.System;
        RpoBound.Result? Bound() => from is not null && last is not null && position is not null ? RpoBound.Compute(from, region, last, position, clock.GetUtcNow()) : null;
        var before = Bound() is null ? await database.GetStatusAsync(region, cancellationToken) : null;
        var result = await database.PromoteAsync(region, cancellationToken);
        if (!result.Succeeded || result.AlreadyDone)
            return result.ToStepResult();

        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (position?.Newest is { } newest)
            facts["heartbeat_seq_at_promotion"] = newest.Sequence.ToString(CultureInfo.InvariantCulture);
        if (context.Run.Facts.TryGetValue(WaitForReplayExecutor.LsnFact, out var lsn))
        {
            facts["rpo_seconds"] = "0";
            facts["rpo_basis"] = $"RPO = 0: planned switchover, {region} had replayed WAL up to {lsn}, the last position of the fenced {from}";
        }
        else if (Bound() is { } bound)
        {
            facts["rpo_seconds"] = Invariant(bound.Seconds);
            facts["rpo_basis"] = bound.Text;
        }
        else if (before?.LagSeconds is { } lag)
        {
            facts["rpo_seconds"] = Invariant(lag);
            facts["rpo_basis"] = $"replica lag {Invariant(lag)} s before the promotion — a lower bound only: no heartbeat of {from ?? "the old primary"} was recorded";
        }
        return result.ToStepResult(facts);
    }

    /// <summary>What the replica holds just before the promotion; null without a heartbeat port or when it cannot be read.</summary>
    private async Task<ReplicaPosition?> ReadPositionAsync(string region, CancellationToken cancellationToken)
    {
        if (heartbeat is null) return null;
        try
        {
            return await heartbeat.ReadPositionAsync(region, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null; // unreachable or not configured: the promotion reports it
        }
    }
}

/// <summary>
/// Fresh facts right before the promotion: the replica's lag and the heartbeat's bound on what may be
/// lost (<c>rpo_bound_seconds</c>, the larger of the two), so a data-loss gate decides on them, not on
/// what the pre-checks saw before the approval.
/// </summary>
public sealed class DataLossBoundCheck(IDatabaseReplica database, IDatabaseHeartbeat heartbeat, HeartbeatLedger ledger, TimeProvider time) : IStepExecutor
{
    public string Name => ExecutorNames.DataLossBound;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var status = await database.GetStatusAsync(region, cancellationToken);
        if (!status.Reachable)
            return StepResult.Fail($"{region} database unreachable: {status.Detail}");
        if (status.IsPrimary)
            return StepResult.Ok($"{region} is already primary: nothing more can be lost", Facts(("replication_lag_seconds", "0"), ("rpo_bound_seconds", "0")));
        var lag = status.LagSeconds ?? 0;
        var from = context.Run.FromRegion ?? "";
        var bound = RpoBound.Compute(from, region, await ledger.GetAsync(from, cancellationToken), await heartbeat.ReadPositionAsync(region, cancellationToken), time.GetUtcNow());
        var worst = Math.Max(lag, bound?.Seconds ?? 0);
        var facts = Facts(("replication_lag_seconds", Invariant(lag)), ("rpo_bound_seconds", Invariant(worst)));
        return StepResult.Ok($"measured now: {region} lag {Invariant(lag)} s; " + (bound?.Text ?? "no heartbeat recorded, so only the lag is known"), facts);
    }
}

/// <summary>
/// Planned switchover: reads the fenced old primary's last flushed WAL position and waits (bounded by
/// <c>max_wait_seconds</c>, 30 by default) until the replica has replayed it. Then nothing acknowledged is lost.
/// </summary>
public sealed class WaitForReplayExecutor(IDatabaseFence fence, TimeProvider time) : IStepExecutor
{
    public const string LsnFact = "switchover_lsn";

    public string Name => ExecutorNames.WaitForReplay;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var from = context.Text("from", context.Run.FromRegion);
        var maxWait = TimeSpan.FromSeconds(context.Number("max_wait_seconds") ?? 30);
        var lsn = await fence.FlushedLsnAsync(from, cancellationToken);
        var started = time.GetTimestamp();
        while (true)
        {
            var (replayed, at) = await fence.HasReplayedAsync(region, lsn, cancellationToken);
            var waited = time.GetElapsedTime(started);
            if (replayed)
                return StepResult.Ok($"{region} replayed WAL up to {at}, past {from}'s last position {lsn}, after {waited.TotalSeconds:0.0} s", Facts((LsnFact, lsn)));
            if (waited > maxWait)
                return StepResult.Fail($"{region} had replayed WAL only up to {at} of {from}'s last position {lsn} after {maxWait.TotalSeconds:0} s");
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }
}

/// <summary>
/// <c>kubectl set env deployment/&lt;deployment&gt; &lt;variable&gt;=&lt;url&gt;</c> on the cluster of <c>cluster</c>, with the URL
/// configured for the region of <c>database</c> (<c>DrBot:Regions:&lt;region&gt;:Database:ApplicationUrl</c>), checked
/// first by connecting to it: it must reach a writable primary. Remembers the previous value for the compensation.
/// </summary>
public sealed class UpdateConnectionStringExecutor(IClusterManager cluster, RegionApplicationSettings? settings = null, IDatabaseHeartbeat? check = null) : IStepExecutor
{
    private readonly RegionApplicationSettings _settings = settings ?? RegionApplicationSettings.Simulated;

    public string Name => ExecutorNames.UpdateConnectionString;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var target = context.Text("cluster", context.Run.Region);
        var databaseRegion = context.Text("database", context.Run.Region);
        var ns = context.Text("namespace", _settings.Namespace(target));
        var deployment = context.Text("deployment", _settings.Deployment(target));
        var variable = context.Text("variable", _settings.Variable(target));
        var url = context.Text("url", _settings.ApplicationUrl(databaseRegion));
        var where = PostgresUrl.Describe(url);

        var verified = check is null ? null : await check.VerifyApplicationUrlAsync(databaseRegion, url, cancellationToken);
        if (verified is { Succeeded: false })
            return verified.ToStepResult();
        var current = await cluster.GetEnvironmentAsync(target, ns, deployment, variable, cancellationToken);
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var previousKey = PreviousKey(target, deployment, variable);
        if (!context.Run.Facts.ContainsKey(previousKey) && current != url)
            facts[previousKey] = current ?? "";
        var checkedText = verified is null ? "" : $"; {verified.Detail}";
        if (current == url)
            return StepResult.Ok($"{ns}/{deployment} in {target} already has {variable} = {where}{checkedText}", facts);
        var result = await cluster.SetEnvironmentAsync(target, ns, deployment, variable, url, cancellationToken);
        return result.Succeeded
            ? StepResult.Ok($"{variable} of {ns}/{deployment} in {target} now points at {where}{checkedText}", facts)
            : result.ToStepResult(facts);
    }

    internal static string PreviousKey(string cluster, string deployment, string variable) =>
        $"previous_{variable}_{deployment}_{cluster}".ToLowerInvariant();
}

/// <summary>Compensation: puts back the connection string the update replaced.</summary>
public sealed class RestoreConnectionStringExecutor(IClusterManager cluster, RegionApplicationSettings? settings = null) : IStepExecutor
{
    private readonly RegionApplicationSettings _settings = settings ?? RegionApplicationSettings.Simulated;

    public string Name => ExecutorNames.RestoreConnectionString;

    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var target = context.Text("cluster", context.Run.Region);
        var deployment = context.Text("deployment", _settings.Deployment(target));
        var variable = context.Text("variable", _settings.Variable(target));
        if (!context.Run.Facts.TryGetValue(UpdateConnectionStringExecutor.PreviousKey(target, deployment, variable), out var previous)
            || string.IsNullOrEmpty(previous))
        {
            return StepResult.Ok($"no previous {variable} of {deployment} in {target} was recorded: nothing to restore");
        }
        var ns = context.Text("namespace", _settings.Namespace(target));
        var current = await cluster.GetEnvironmentAsync(target, ns, deployment, variable, cancellationToken);
        if (current == previous)
        {
            return StepResult.Ok($"{deployment} in {target} already uses its previous {variable}");
        }
        var result = await cluster.SetEnvironmentAsync(target, ns, deployment, variable, previous, cancellationToken);
        return result.ToStepResult();
    }
}
