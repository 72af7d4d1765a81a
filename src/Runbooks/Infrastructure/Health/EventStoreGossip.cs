using System.Text.Json;

namespace DrBot.Runbooks.Infrastructure.Health;

/// <summary>
/// Reads an EventStoreDB <c>/gossip</c> answer: the cluster is healthy when a live leader exists and
/// a majority of the members are alive (a cluster without quorum accepts no writes).
/// </summary>
internal static class EventStoreGossip
{
    public static (bool Healthy, string Detail) Evaluate(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("members", out var members) || members.ValueKind != JsonValueKind.Array)
            return (false, "gossip answer has no members");
        var total = 0;
        var alive = 0;
        string? leader = null;
        foreach (var m in members.EnumerateArray())
        {
            var state = m.TryGetProperty("state", out var s) ? s.GetString() ?? "" : "";
            if (state.Equals("Manager", StringComparison.OrdinalIgnoreCase)) continue;
            total++;
            var isAlive = m.TryGetProperty("isAlive", out var a) && a.ValueKind == JsonValueKind.True;
            if (!isAlive) continue;
            alive++;
            if (state is "Leader" or "Master")
                leader = m.TryGetProperty("httpEndPointIp", out var ip) ? $"{ip.GetString()}" : state;
        }
        var quorum = alive > total / 2;
        var healthy = leader is not null && quorum && total > 0;
        var detail = $"{alive}/{total} members alive, " + (leader is null ? "no live leader" : $"leader {leader}") + (quorum ? "" : ", no quorum");
        return (healthy, detail);
    }
}
