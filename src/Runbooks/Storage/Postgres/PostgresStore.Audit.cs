using DrBot.Runbooks.Audit;

namespace DrBot.Runbooks.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>The HMAC key of the audit chain (<c>DrBot:Audit:Key</c>); null seals with plain SHA-256.</summary>
    public byte[]? AuditKey { get; init; }

    /// <summary>Appends of this process, one at a time, so <see cref="_lastAudit"/> stays the entry they seal against.</summary>
    private readonly SemaphoreSlim _auditGate = new(1, 1);

    /// <summary>The last entry of the chain as this process last wrote or read it; null until known.</summary>
    private AuditEntry? _lastAudit;

    /// <summary>
    /// Seals the entry against the last one this process knows and inserts it in one statement. The
    /// sequence is the primary key, so an insert that succeeds proves its predecessor was the true last
    /// entry and the log stays one valid chain; when another replica appended meanwhile the insert
    /// does nothing, and the entry is sealed again against the last entry read from the table. One
    /// round trip per entry, and nothing held across round trips: audit appends are on every click.
    /// </summary>
    public async Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken)
    {
        await _auditGate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var last = _lastAudit ?? await ReadLastAuditAsync(cancellationToken);
                var entry = AuditChain.Seal(draft, last, AuditKey);
                var inserted = await Run("append audit entry", connection => Execute(connection, cancellationToken,
                    "INSERT INTO drbot_audit (seq, json) VALUES ($1, $2) ON CONFLICT (seq) DO NOTHING", entry.Sequence, StoreJson.Write(entry)), cancellationToken);
                if (inserted == 1)
                {
                    _lastAudit = entry;
                    return entry;
                }
                _lastAudit = null; // another replica appended since: read the true last entry and seal again
            }
        }
        finally
        {
            _auditGate.Release();
        }
    }

    private Task<AuditEntry?> ReadLastAuditAsync(CancellationToken cancellationToken) =>
        Run("read last audit entry", async connection =>
            await QueryJson(connection, cancellationToken, "SELECT json FROM drbot_audit ORDER BY seq DESC LIMIT 1") is { } json
                ? StoreJson.Read<AuditEntry>(json)
                : null, cancellationToken);

    public Task<long> CountAuditAsync(CancellationToken cancellationToken) =>
        Run("count audit log", async connection => (await Query(connection, cancellationToken, r => r.GetInt64(0), "SELECT count(*) FROM drbot_audit"))[0], cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<AuditEntry>>("read audit log", async connection => await Query(connection, cancellationToken,
            r => StoreJson.Read<AuditEntry>(r.GetString(0)), "SELECT json FROM drbot_audit ORDER BY seq"), cancellationToken);
}
