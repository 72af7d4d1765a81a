using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DrBot.Runbooks.Audit;

/// <summary>The outcome of checking the audit chain: valid, or the first entry that breaks it and why.</summary>
public sealed record AuditVerification(bool Valid, long? FirstBadSequence, string Problem)
{
    public static AuditVerification Ok(int count) => new(true, null, $"{count} entries, chain intact");
}

/// <summary>
/// The hash chain of the audit log. Each entry's hash covers its own fields and the hash of the
/// entry before it, so editing, removing or reordering any entry breaks every hash after it.
/// </summary>
public static class AuditChain
{
    /// <summary>The previous hash of the first entry.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>
    /// SHA-256 (hex, lower case) over a canonical JSON array of the fields. A JSON array escapes
    /// every string, so no choice of field text can make two different entries hash the same input.
    /// </summary>
    public static string ComputeHash(long sequence, DateTimeOffset at, string actor, string action, string subject, string detail, string previousHash, byte[]? key = null)
    {
        string[] fields =
        [
            sequence.ToString(CultureInfo.InvariantCulture),
            at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            actor,
            action,
            subject,
            detail,
            previousHash,
        ];
        var canonical = JsonSerializer.SerializeToUtf8Bytes(fields);
        // Keyed (DrBot:Audit:Key): whoever can write the database cannot recompute the chain without the key.
        return Convert.ToHexStringLower(key is null ? SHA256.HashData(canonical) : HMACSHA256.HashData(key, canonical));
    }

    public static string ComputeHash(AuditEntry entry, byte[]? key = null) =>
        ComputeHash(entry.Sequence, entry.At, entry.Actor, entry.Action, entry.Subject, entry.Detail, entry.PreviousHash, key);

    /// <summary>Builds the next entry of a chain whose last entry is <paramref name="last"/> (null: empty chain).</summary>
    public static AuditEntry Seal(AuditDraft draft, AuditEntry? last, byte[]? key = null)
    {
        var sequence = (last?.Sequence ?? 0) + 1;
        var previous = last?.Hash ?? GenesisHash;
        var hash = ComputeHash(sequence, draft.At, draft.Actor, draft.Action, draft.Subject, draft.Detail, previous, key);
        return new AuditEntry(sequence, draft.At, draft.Actor, draft.Action, draft.Subject, draft.Detail, previous, hash);
    }

    /// <summary>
    /// Walks the entries in the order given: sequences must run 1, 2, 3… with no gap, each entry
    /// must name the previous entry's hash, and each hash must match the entry's fields.
    /// </summary>
    public static AuditVerification Verify(IReadOnlyList<AuditEntry> entries, byte[]? key = null, AuditCheckpoint? checkpoint = null)
    {
        var previousHash = GenesisHash;
        long expected = 1;
        foreach (var entry in entries)
        {
            if (entry.Sequence != expected)
            {
                var what = entry.Sequence > expected
                    ? $"entries {expected}..{entry.Sequence - 1} are missing"
                    : $"entry {entry.Sequence} appears after entry {expected - 1} (reordered or duplicated)";
                return new AuditVerification(false, entry.Sequence, $"Sequence break at entry {entry.Sequence}: expected {expected}; {what}.");
            }
            if (!string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                return new AuditVerification(false, entry.Sequence, $"Entry {entry.Sequence} does not link to the entry before it: its previous hash differs (an entry before it was edited, removed or moved).");
            }
            if (!string.Equals(ComputeHash(entry, key), entry.Hash, StringComparison.Ordinal))
            {
                return new AuditVerification(false, entry.Sequence, $"Entry {entry.Sequence} was altered: its hash does not match its content.");
            }
            previousHash = entry.Hash;
            expected++;
        }
        if (checkpoint is not null && AuditCheckpoints.Check(checkpoint, entries, key) is { } problem)
            return new AuditVerification(false, checkpoint.Count, problem);
        return AuditVerification.Ok(entries.Count);
    }
}
