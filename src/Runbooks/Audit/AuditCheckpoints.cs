using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DrBot.Runbooks.Audit;

/// <summary>
/// A signed statement kept outside the store: "the chain had <see cref="Count"/> entries ending in
/// <see cref="HeadHash"/> at <see cref="At"/>". A chain shorter than a checkpoint had its tail cut;
/// a different hash at that position was rewritten.
/// </summary>
public sealed record AuditCheckpoint(long Count, string HeadHash, DateTimeOffset At, string Signature);

/// <summary>Creating, checking and keeping checkpoints in a JSON-lines file (one per line, newest last).</summary>
public static class AuditCheckpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static AuditCheckpoint Create(IReadOnlyList<AuditEntry> entries, DateTimeOffset at, byte[]? key)
    {
        var head = entries.Count == 0 ? AuditChain.GenesisHash : entries[^1].Hash;
        return new AuditCheckpoint(entries.Count, head, at, Sign(entries.Count, head, at, key));
    }

    /// <summary>Null when the chain agrees with the checkpoint; otherwise what is wrong.</summary>
    public static string? Check(AuditCheckpoint checkpoint, IReadOnlyList<AuditEntry> entries, byte[]? key)
    {
        if (!CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(Sign(checkpoint.Count, checkpoint.HeadHash, checkpoint.At, key)),
                System.Text.Encoding.ASCII.GetBytes(checkpoint.Signature)))
            return $"The checkpoint of {checkpoint.At:O} is not signed with this key (forged or another key).";
        if (entries.Count < checkpoint.Count)
            return $"The tail was cut: the checkpoint of {checkpoint.At:O} recorded {checkpoint.Count} entries, the log has {entries.Count}.";
        var head = checkpoint.Count == 0 ? AuditChain.GenesisHash : entries[(int)checkpoint.Count - 1].Hash;
        return string.Equals(head, checkpoint.HeadHash, StringComparison.Ordinal)
            ? null
            : $"Entry {checkpoint.Count} differs from the checkpoint of {checkpoint.At:O}: the chain up to it was rewritten.";
    }

    public static async Task AppendAsync(string path, AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.AppendAllTextAsync(path, JsonSerializer.Serialize(checkpoint, Json) + "\n", cancellationToken);
    }

    /// <summary>The newest checkpoint in the file, or null when there is none.</summary>
    public static async Task<AuditCheckpoint?> LatestAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return null;
        var last = (await File.ReadAllLinesAsync(path, cancellationToken)).LastOrDefault(l => l.Trim().Length > 0);
        return last is null ? null : JsonSerializer.Deserialize<AuditCheckpoint>(last, Json);
    }

    private static string Sign(long count, string head, DateTimeOffset at, byte[]? key)
    {
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new[]
        {
            "drbot-audit-checkpoint", count.ToString(CultureInfo.InvariantCulture), head, at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        });
        return Convert.ToHexStringLower(key is null ? SHA256.HashData(canonical) : HMACSHA256.HashData(key, canonical));
    }
}
