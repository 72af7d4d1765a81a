namespace DrBot.Runbooks.Audit;

public interface IAuditStore
{
    /// <summary>Appends atomically: sequence, previous hash and hash are assigned under the store's own lock.</summary>
    Task<AuditEntry> AppendAuditAsync(AuditDraft draft, CancellationToken cancellationToken);
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(CancellationToken cancellationToken);

    /// <summary>How many entries the chain holds, without reading them (the checkpoint writer asks every few seconds).</summary>
    Task<long> CountAuditAsync(CancellationToken cancellationToken);
}
