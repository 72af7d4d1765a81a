using System.Globalization;

namespace DrBot.Runbooks.Infrastructure.Redis;

/// <summary>
/// The fields of <c>INFO replication</c> the adapter needs. Redis says <c>slave</c>, newer Redis and
/// DragonflyDB may say <c>replica</c>; both are accepted.
/// </summary>
internal sealed record RedisReplicationInfo(
    string Role,
    long? MasterReplOffset,
    long? ReplicaOffset,
    string? MasterHost,
    int? MasterPort,
    string? MasterLinkStatus,
    IReadOnlyList<long> ConnectedReplicaOffsets)
{
    public bool IsMaster => Role is "master" or "primary";

    public static RedisReplicationInfo Parse(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var map = fields.GroupBy(f => f.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);
        var replicas = map
            .Where(kv => (kv.Key.StartsWith("slave", StringComparison.OrdinalIgnoreCase) || kv.Key.StartsWith("replica", StringComparison.OrdinalIgnoreCase))
                         && kv.Key.Skip(kv.Key.StartsWith("slave", StringComparison.OrdinalIgnoreCase) ? 5 : 7).All(char.IsDigit)
                         && kv.Value.Contains("offset=", StringComparison.Ordinal))
            .Select(kv => OffsetOf(kv.Value))
            .OfType<long>()
            .ToList();
        return new RedisReplicationInfo(
            (map.GetValueOrDefault("role") ?? "unknown").Trim().ToLowerInvariant(),
            Long(map.GetValueOrDefault("master_repl_offset")),
            Long(map.GetValueOrDefault("slave_repl_offset") ?? map.GetValueOrDefault("replica_repl_offset")),
            map.GetValueOrDefault("master_host"),
            (int?)Long(map.GetValueOrDefault("master_port")),
            map.GetValueOrDefault("master_link_status"),
            replicas);
    }

    /// <summary><c>slave0:ip=…,port=…,state=online,offset=123,lag=0</c> → 123.</summary>
    private static long? OffsetOf(string value) =>
        value.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "offset").Select(p => Long(p[1])).FirstOrDefault();

    private static long? Long(string? s) =>
        long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
}
