using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Policy;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DrBot.Runbooks.Infrastructure.Redis;

/// <summary>
/// A region's Redis or DragonflyDB through StackExchange.Redis, from
/// <c>DrBot:Regions:&lt;region&gt;:Cache:Endpoint</c> (a StackExchange.Redis configuration string,
/// <c>host:port</c> plus options such as <c>password=…</c>; the password is never logged).
/// Each call opens its own admin connection: a promotion changes roles under a long-lived multiplexer.
/// </summary>
public sealed class RedisCacheReplica : ICacheReplica
{
    private const string VerificationKey = "drbot:failover:write-check";
    private readonly IOptionsMonitor<DrBotOptions> _regions;
    private readonly LiveInfrastructureOptions _options;
    private readonly TimeProvider _time;

    public RedisCacheReplica(IOptionsMonitor<DrBotOptions> regions, IOptions<LiveInfrastructureOptions> options, TimeProvider time)
    {
        _regions = regions;
        _options = options.Value;
        _time = time;
    }

    public async Task<CacheStatus> GetStatusAsync(string region, CancellationToken cancellationToken)
    {
        using var deadline = new OperationDeadline(_options.StatusTimeout, _time, cancellationToken);
        string target = region;
        try
        {
            var config = ConfigurationOf(region);
            target = Describe(config);
            await using var mux = await ConnectAsync(config, deadline);
            var info = await ReadInfoAsync(mux, deadline.Token);
            if (info.IsMaster)
            {
                long? lag = info.ConnectedReplicaOffsets.Count == 0 || info.MasterReplOffset is null
                    ? null
                    : info.MasterReplOffset.Value - info.ConnectedReplicaOffsets.Min();
                return new CacheStatus(region, true, true, lag,
                    $"{target} is master with {info.ConnectedReplicaOffsets.Count} replica(s){(lag is null ? "" : $", furthest {lag} bytes behind")}.");
            }
            var masterOffset = await MasterOffsetAsync(info, config, deadline);
            long? replicaLag = masterOffset is null || info.ReplicaOffset is null ? null : Math.Max(0, masterOffset.Value - info.ReplicaOffset.Value);
            return new CacheStatus(region, true, false, replicaLag,
                $"{target} is a replica of {info.MasterHost}:{info.MasterPort}, link {info.MasterLinkStatus ?? "unknown"}, " +
                (replicaLag is null ? "lag unknown (master unreachable)." : $"{replicaLag} bytes behind."));
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return new CacheStatus(region, false, false, null, e.Message);
        }
        catch (Exception e) when (IsFailure(e, deadline))
        {
            return new CacheStatus(region, false, false, null, $"{target} unreachable: {Reason(e, deadline)}");
        }
    }

    public async Task<InfraActionResult> PromoteAsync(string region, CancellationToken cancellationToken)
    {
        using var deadline = new OperationDeadline(_options.PromoteTimeout, _time, cancellationToken);
        string target = region;
        try
        {
            var config = ConfigurationOf(region);
            target = Describe(config);
            await using (var mux = await ConnectAsync(config, deadline))
            {
                var before = await ReadInfoAsync(mux, deadline.Token);
                if (before.IsMaster)
                    return InfraActionResult.NoOp($"{target} is already master; nothing promoted.");
                await mux.GetServer(mux.GetEndPoints()[0]).ExecuteAsync("REPLICAOF", "NO", "ONE");
            }

            // A fresh connection, so the client's view of the roles is the server's current one.
            await using var verify = await ConnectAsync(config, deadline);
            var after = await ReadInfoAsync(verify, deadline.Token);
            if (!after.IsMaster)
                return InfraActionResult.Failed($"{target}: REPLICAOF NO ONE was accepted but the role is still '{after.Role}'.", transient: true);
            var token = Guid.NewGuid().ToString("N");
            var server = verify.GetServer(verify.GetEndPoints()[0]);
            await server.ExecuteAsync("SET", VerificationKey, token, "EX", "3600");
            var read = (string?)await server.ExecuteAsync("GET", VerificationKey);
            return read == token
                ? InfraActionResult.Done($"{target} promoted to master; a verification write succeeded.")
                : InfraActionResult.Failed($"{target} is master but the verification write did not read back.", transient: true);
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return InfraActionResult.Failed(e.Message);
        }
        catch (Exception e) when (IsFailure(e, deadline))
        {
            return InfraActionResult.Failed($"{target}: promotion failed: {Reason(e, deadline)}", transient: e is not RedisServerException);
        }
    }

    public async Task<InfraActionResult> FollowAsync(string region, string masterRegion, CancellationToken cancellationToken)
    {
        using var deadline = new OperationDeadline(_options.StatusTimeout, _time, cancellationToken);
        string target = region;
        try
        {
            var config = ConfigurationOf(region);
            var master = ConfigurationOf(masterRegion);
            target = Describe(config);
            if (master.EndPoints.Count == 0 || !RedisEndpoint.TryHostPort(master.EndPoints[0], out var host, out var port))
                return InfraActionResult.Failed($"DrBot:Regions:{masterRegion}:Cache:Endpoint names no host:port.");
            await using var mux = await ConnectAsync(config, deadline);
            var before = await ReadInfoAsync(mux, deadline.Token);
            if (!before.IsMaster && before.MasterHost == host && before.MasterPort == port)
                return InfraActionResult.NoOp($"{target} already follows {host}:{port}.");
            var server = mux.GetServer(mux.GetEndPoints()[0]);
            await server.ExecuteAsync("REPLICAOF", host, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var after = await ReadInfoAsync(mux, deadline.Token);
            return after.IsMaster
                ? InfraActionResult.Failed($"{target}: REPLICAOF {host} {port} was accepted but the role is still master.", transient: true)
                : InfraActionResult.Done($"{target} now follows {masterRegion} ({host}:{port}) and refuses writes.");
        }
        catch (InfrastructureNotConfiguredException e)
        {
            return InfraActionResult.Failed(e.Message);
        }
        catch (Exception e) when (IsFailure(e, deadline))
        {
            return InfraActionResult.Failed($"{target} unreachable: {Reason(e, deadline)}", transient: true);
        }
    }

    private ConfigurationOptions ConfigurationOf(string region)
    {
        var endpoint = _regions.CurrentValue.Regions.TryGetValue(region, out var r) ? r.Cache.Endpoint : null;
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new InfrastructureNotConfiguredException($"No cache configured for region '{region}': set DrBot:Regions:{region}:Cache:Endpoint (host:port).");
        var config = ConfigurationOptions.Parse(endpoint);
        config.AllowAdmin = true;
        config.AbortOnConnectFail = true;
        config.ConnectRetry = 1;
        var ms = (int)Math.Min(int.MaxValue, _options.StatusTimeout.TotalMilliseconds);
        config.ConnectTimeout = ms;
        config.SyncTimeout = ms;
        config.AsyncTimeout = ms;
        return config;
    }

    private static string Describe(ConfigurationOptions config) =>
        config.EndPoints.Count == 0 ? "(no endpoint)" : string.Join(",", config.EndPoints.Select(EndPointCollection.ToString));

    private static async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions config, OperationDeadline deadline) =>
        await ConnectionMultiplexer.ConnectAsync(config).WaitAsync(deadline.Token);

    private static async Task<RedisReplicationInfo> ReadInfoAsync(IConnectionMultiplexer mux, CancellationToken cancellationToken)
    {
        var server = mux.GetServer(mux.GetEndPoints()[0]);
        var sections = await server.InfoAsync("replication").WaitAsync(cancellationToken);
        return RedisReplicationInfo.Parse(sections.SelectMany(g => g));
    }

    /// <summary>A replica does not know how far its master is ahead: ask the master, if it answers.</summary>
    private static async Task<long?> MasterOffsetAsync(RedisReplicationInfo replica, ConfigurationOptions replicaConfig, OperationDeadline deadline)
    {
        if (replica.MasterHost is null || replica.MasterPort is null) return null;
        var config = replicaConfig.Clone();
        config.EndPoints.Clear();
        config.EndPoints.Add(replica.MasterHost, replica.MasterPort.Value);
        try
        {
            await using var mux = await ConnectAsync(config, deadline);
            return (await ReadInfoAsync(mux, deadline.Token)).MasterReplOffset;
        }
        catch (Exception e) when (e is RedisException or TimeoutException || (e is OperationCanceledException && !deadline.CallerToken.IsCancellationRequested))
        {
            return null;
        }
    }

    private static bool IsFailure(Exception e, OperationDeadline deadline) =>
        e is RedisException or TimeoutException or IOException || (e is OperationCanceledException && deadline.Expired);

    private static string Reason(Exception e, OperationDeadline deadline) =>
        e is OperationCanceledException && deadline.Expired ? $"timed out after {deadline.Timeout.TotalSeconds:F0} s" : e.Message;
}
