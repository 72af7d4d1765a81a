using System.Text.Json;
using LiteDB;

namespace DrBot.Bench.Bot;

/// <summary>
/// Counts, in the bot's LiteDB file after the bot has stopped, what the alert run left behind: the
/// alert groups with a record, the distinct alerts on those records, and the outbox (delivered or not).
/// </summary>
internal static class StoreCount
{
    public sealed record Counts(long AlertLines, long AlertGroups, long OutboxDelivered, long OutboxUndelivered);

    public static Counts Read(string storePath, string groupPrefix)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = storePath, Connection = ConnectionType.Direct, ReadOnly = true });
        long groups = 0, lines = 0;
        foreach (var record in db.GetCollection("values").Find(Query.StartsWith("_id", groupPrefix)))
        {
            groups++;
            using var json = JsonDocument.Parse(record["value"].AsString);
            lines += json.RootElement.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("key").GetString()).Distinct(StringComparer.Ordinal).LongCount();
        }
        var outbox = db.GetCollection("outbox");
        return new Counts(lines, groups, outbox.Count(Query.EQ("delivered", true)), outbox.Count(Query.EQ("delivered", false)));
    }
}
