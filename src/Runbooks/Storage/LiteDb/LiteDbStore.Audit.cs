using DrBot.Runbooks.Audit;
using LiteDB;

namespace DrBot.Runbooks.Storage.LiteDb;

public sealed partial class LiteDbStore
{
    /// <summary>The HMAC key of the audit chain (<c>DrBot:Audit:Key</c>); null seals with plain SHA-256.</summary>
    public byte[]? AuditKey { get; init; }

    public Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken) =>
        Run("append audit entry", () =>
        {
            // Under the store lock: the last entry cannot change between reading it and appending.
            var lastDocument = Audit.FindOne(Query.All(Query.Descending));
            var last = lastDocument is null ? null : StoreJson.Read<AuditEntry>(ReadJson(lastDocument));
            var entry = AuditChain.Seal(draft, last, AuditKey);
            Audit.Insert(new BsonDocument { ["_id"] = entry.Sequence, [Json] = StoreJson.Write(entry) });
            return entry;
        }, cancellationToken);

    public Task<long> CountAuditAsync(CancellationToken cancellationToken) =>
        Run("count audit log", () => Audit.LongCount(), cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<AuditEntry>>("read audit log", () => Audit
            .Find(Query.All(Query.Ascending))
            .Select(d => StoreJson.Read<AuditEntry>(ReadJson(d)))
            .ToList(), cancellationToken);
}
