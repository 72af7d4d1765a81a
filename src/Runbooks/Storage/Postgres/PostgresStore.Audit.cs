using DrBot.Runbooks.Audit;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>The HMAC key of the audit chain (<c>DrBot:Audit:Key</c>); null seals with plain SHA-256.</summary>
    public byte[]? AuditKey { get; init; }

    /// <summary>Advisory lock key that serialises audit appends across replicas ("DrBotAud").</summary>
    private const long AuditLockKey = 0x4472426F74417564;

    /// <summary>
    /// Appends under a transaction-scoped advisory lock: replicas writing at once queue here, so each
    /// entry is sealed against the true last entry and the log stays one valid chain. The sequence is
    /// the primary key as a second guard.
    /// </summary>
    public Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken) =>
        Run("append audit entry", async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await Execute(connection, cancellationToken, $"SELECT pg_advisory_xact_lock({AuditLockKey})");
            var lastJson = await QueryJson(connection, cancellationToken, "SELECT json FROM drbot_audit ORDER BY seq DESC LIMIT 1");
            var entry = AuditChain.Seal(draft, lastJson is null ? null : StoreJson.Read<AuditEntry>(lastJson), AuditKey);
            await Execute(connection, cancellationToken, "INSERT INTO drbot_audit (seq, json) VALUES ($1, $2)", entry.Sequence, StoreJson.Write(entry));
            await transaction.CommitAsync(cancellationToken);
            return entry;
        }, cancellationToken);

    public Task<long> CountAuditAsync(CancellationToken cancellationToken) =>
        Run("count audit log", async connection => (await Query(connection, cancellationToken, r => r.GetInt64(0), "SELECT count(*) FROM drbot_audit"))[0], cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<AuditEntry>>("read audit log", async connection => await Query(connection, cancellationToken,
            r => StoreJson.Read<AuditEntry>(r.GetString(0)), "SELECT json FROM drbot_audit ORDER BY seq"), cancellationToken);
}
