namespace DrBot.Runbooks.Audit;

/// <summary>What is to be written to the audit log; the store adds sequence and hashes.</summary>
public sealed record AuditDraft(
    DateTimeOffset At,
    string Actor,
    string Action,
    string Subject,
    string Detail);

/// <summary>
/// One entry of the append-only, hash-chained audit log. <see cref="Hash"/> covers the entry's
/// fields and <see cref="PreviousHash"/>, so editing, removing or reordering any entry breaks the chain.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset At,
    string Actor,
    string Action,
    string Subject,
    string Detail,
    string PreviousHash,
    string Hash);
