using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Postgres;
using static DrBot.Runbooks.Executors.ExecutorArgs;

namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>The promotion, rehearsed: the target must answer and be a replica; nothing is promoted.</summary>
public sealed class DatabasePromoteRehearsal(IDatabaseReplica database) : IStepRehearsal
{
    public string Name => ExecutorNames.DatabasePromote;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var status = await database.GetStatusAsync(region, cancellationToken);
        if (!status.Reachable)
            return StepResult.Fail($"{region} database unreachable ({status.Detail}): a real promotion would fail here");
        return status.IsPrimary
            ? StepResult.Ok($"{region} database is already primary: would promote nothing")
            : StepResult.Ok($"would promote the {region} database to primary (now a replica{Lag(status)}) — the point of no return");
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var status = await database.GetStatusAsync(region, cancellationToken);
        if (!status.Reachable)
            return PreflightFinding.Blocked($"{region} database: login or connection fails: {status.Detail}");
        return status.IsPrimary
            ? PreflightFinding.Blocked($"{region} database is not in recovery (already a primary): nothing to promote. {status.Detail}")
            : PreflightFinding.Ready($"{region} database answers and is a replica{Lag(status)}");
    }

    private static string Lag(DatabaseStatus status) => status.LagSeconds is { } lag ? $", {Invariant(lag)} s behind" : "";
}

/// <summary>The connection-string switch, rehearsed: reads the deployment's variable and says what it would become.</summary>
public sealed class UpdateConnectionStringRehearsal(IClusterManager cluster, RegionApplicationSettings? settings = null) : IStepRehearsal
{
    private readonly RegionApplicationSettings _settings = settings ?? RegionApplicationSettings.Simulated;

    public string Name => ExecutorNames.UpdateConnectionString;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (where, current, url) = await ReadAsync(context, cancellationToken);
        return current == url
            ? StepResult.Ok($"{where.Variable} of {where.Deployment} in {where.Cluster} already points at {PostgresUrl.Describe(url)}: would change nothing")
            : StepResult.Ok($"would set {where.Variable} of {where.Deployment} in {where.Cluster} to {PostgresUrl.Describe(url)} (now {Describe(current)}), after checking that it reaches a writable primary");
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (where, current, url) = await ReadAsync(context, cancellationToken);
        return PreflightFinding.Ready($"{where.Namespace}/{where.Deployment} in {where.Cluster} exists ({where.Variable} = {Describe(current)}); it would get {PostgresUrl.Describe(url)}");
    }

    private async Task<((string Cluster, string Namespace, string Deployment, string Variable) Where, string? Current, string Url)> ReadAsync(StepContext context, CancellationToken cancellationToken)
    {
        var target = context.Text("cluster", context.Run.Region);
        var databaseRegion = context.Text("database", context.Run.Region);
        var ns = context.Text("namespace", _settings.Namespace(target));
        var deployment = context.Text("deployment", _settings.Deployment(target));
        var variable = context.Text("variable", _settings.Variable(target));
        var url = context.Text("url", _settings.ApplicationUrl(databaseRegion));
        var current = await cluster.GetEnvironmentAsync(target, ns, deployment, variable, cancellationToken);
        return ((target, ns, deployment, variable), current, url);
    }

    private static string Describe(string? url) => string.IsNullOrEmpty(url) ? "unset" : PostgresUrl.Describe(url);
}

/// <summary>The fence of the old primary, rehearsed: reads its traffic endpoint and database; turns nothing off.</summary>
public sealed class FenceRehearsal(IDatabaseReplica database, ITrafficRouter traffic) : IStepRehearsal
{
    public string Name => ExecutorNames.Fence;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (required, plan, status) = await ReadAsync(context, cancellationToken);
        if (!status.Reachable && required)
            return StepResult.Fail($"{plan}; {context.Region()} database unreachable ({status.Detail}): a planned switchover needs it fenced, a real run would fail here");
        return StepResult.Ok(status.Reachable
            ? $"{plan}; would make the {context.Region()} database refuse writes and end its sessions (verified by a refused write)"
            : $"{plan}; {FenceExecutor.UnreachableWords(context.Region())} ({status.Detail})");
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (required, plan, status) = await ReadAsync(context, cancellationToken);
        if (status.Reachable)
            return PreflightFinding.Ready($"{plan}; {context.Region()} database answers, so it can be fenced");
        return required
            ? PreflightFinding.Blocked($"{context.Region()} database unreachable ({status.Detail}): a planned switchover needs it fenced")
            : PreflightFinding.Warning($"{context.Region()} database unreachable ({status.Detail}): a failover now would leave it to be fenced when it returns");
    }

    private async Task<(bool Required, string Plan, DatabaseStatus Status)> ReadAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var required = string.Equals(context.Text("required", "false"), "true", StringComparison.OrdinalIgnoreCase);
        var endpoint = (await traffic.GetEndpointsAsync(cancellationToken)).FirstOrDefault(e => string.Equals(e.Region, region, StringComparison.OrdinalIgnoreCase));
        var plan = endpoint switch
        {
            null => $"{region} has no traffic endpoint",
            { Enabled: false } => $"{region} endpoint already disabled",
            _ => $"would disable endpoint {region}",
        };
        return (required, plan, await database.GetStatusAsync(region, cancellationToken));
    }
}

/// <summary>The wait for the replay of the old primary's last WAL, rehearsed: reads both positions once, waits for nothing.</summary>
public sealed class WaitForReplayRehearsal(IDatabaseFence fence) : IStepRehearsal
{
    public string Name => ExecutorNames.WaitForReplay;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (region, from, lsn, replayed, at) = await ReadAsync(context, cancellationToken);
        return StepResult.Ok($"would wait until {region} has replayed {from}'s last WAL position after the fence (now {lsn}; {region} at {at}{(replayed ? ", caught up" : "")})");
    }

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (region, from, lsn, _, at) = await ReadAsync(context, cancellationToken);
        return PreflightFinding.Ready($"{from} flushed WAL to {lsn}; {region} replayed to {at}");
    }

    private async Task<(string Region, string From, string Lsn, bool Replayed, string At)> ReadAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        var from = context.Text("from", context.Run.FromRegion);
        var lsn = await fence.FlushedLsnAsync(from, cancellationToken);
        var (replayed, at) = await fence.HasReplayedAsync(region, lsn, cancellationToken);
        return (region, from, lsn, replayed, at);
    }
}

/// <summary>
/// The consistency check after the promotion writes a heartbeat on the new primary, so a practice run only
/// reads what it would compare: the newest heartbeat the replica holds.
/// </summary>
public sealed class DataConsistencyRehearsal(IDatabaseReplica database, IDatabaseHeartbeat? heartbeat = null) : IStepRehearsal
{
    public string Name => ExecutorNames.DataConsistency;

    public async Task<StepResult> RehearseAsync(StepContext context, CancellationToken cancellationToken) =>
        StepResult.Ok(await DescribeAsync(context, cancellationToken));

    public async Task<PreflightFinding> PreflightAsync(StepContext context, CancellationToken cancellationToken) =>
        PreflightFinding.Ready(await DescribeAsync(context, cancellationToken));

    private async Task<string> DescribeAsync(StepContext context, CancellationToken cancellationToken)
    {
        var region = context.Region();
        if (heartbeat is null)
        {
            var status = await database.GetStatusAsync(region, cancellationToken);
            return $"would read the failover marker back on {region} after the promotion ({status.Detail})";
        }
        var position = await heartbeat.ReadPositionAsync(region, cancellationToken);
        var newest = position.Newest is { } h ? $"heartbeat {h.Sequence} of {h.CommittedAt:HH:mm:ss}" : "no heartbeat yet";
        return $"would check on {region} after the promotion that it takes a new heartbeat and still holds the newest one it had ({newest} now)";
    }
}
