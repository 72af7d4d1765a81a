using LiteDB;

namespace DrBot.Bench.Bot;

/// <summary>
/// Counts, in the bot's LiteDB file after the bot has stopped, what the alert run left behind: the
/// claimed alert keys, the alert groups with a card state, and the outbox (delivered or not).
/// </summary>
internal static class StoreCount
{
    public sealed record Counts(long AlertKeys, long AlertGroups, long OutboxDelivered, long OutboxUndelivered);

    public static Counts Read(string storePath, string alertKeyPrefix, string groupPrefix)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = storePath, Connection = ConnectionType.Direct, ReadOnly = true });
        var keys = db.GetCollection("idempotency_keys").Count(Query.StartsWith("_id", alertKeyPrefix));
        var groups = db.GetCollection("values").Count(Query.StartsWith("_id", groupPrefix));
        var outbox = db.GetCollection("outbox");
        return new Counts(keys, groups, outbox.Count(Query.EQ("delivered", true)), outbox.Count(Query.EQ("delivered", false)));
    }
}
