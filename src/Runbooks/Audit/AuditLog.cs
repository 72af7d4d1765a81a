using System.Text.Json;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Audit;

/// <summary>
/// The append-only audit log (SOC 2 / HIPAA / ISO 27001 evidence in the strategy): every action,
/// decision, refusal and escalation is recorded with the time from <see cref="TimeProvider"/>;
/// the store chains each entry to the one before, and <see cref="VerifyAsync"/> proves nothing was
/// edited, removed or reordered since.
/// </summary>
public sealed class AuditLog(IAuditStore store, TimeProvider time, IOptions<DrBotOptions>? options = null)
{
    private readonly byte[]? _key = options?.Value.Audit.KeyBytes();

    /// <summary>Whether the chain is keyed (HMAC) rather than plain SHA-256.</summary>
    public bool IsKeyed => _key is not null;

    /// <summary>A signed checkpoint of the chain as it is now.</summary>
    public async Task<AuditCheckpoint> CheckpointAsync(CancellationToken cancellationToken) =>
        Checkpoint(await store.ReadAuditAsync(cancellationToken));

    /// <summary>A signed checkpoint of the first entries of the chain (<paramref name="entries"/>, oldest first).</summary>
    public AuditCheckpoint Checkpoint(IReadOnlyList<AuditEntry> entries) => AuditCheckpoints.Create(entries, time.GetUtcNow(), _key);

    private static readonly JsonSerializerOptions ExportOptions = new(JsonSerializerDefaults.Web);

    public Task<AuditEntry> RecordAsync(string actor, string action, string subject, string detail, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        return store.AppendAuditAsync(new AuditDraft(time.GetUtcNow(), actor, action, subject ?? "", detail ?? ""), cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(CancellationToken cancellationToken) =>
        await store.ReadAuditAsync(cancellationToken);

    /// <summary>Checks every link (with the key when one is configured) and, when given, agreement with the latest checkpoint.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken, AuditCheckpoint? checkpoint = null) =>
        AuditChain.Verify(await store.ReadAuditAsync(cancellationToken), _key, checkpoint);

    /// <summary>Writes every entry as one JSON object per line (camelCase, hashes included), oldest first.</summary>
    public async Task ExportJsonLinesAsync(Stream output, CancellationToken cancellationToken, Func<AuditEntry, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var entries = (await store.ReadAuditAsync(cancellationToken)).Where(include ?? (_ => true));
        var newline = "\n"u8.ToArray();
        foreach (var entry in entries)
        {
            await JsonSerializer.SerializeAsync(output, entry, ExportOptions, cancellationToken);
            await output.WriteAsync(newline, cancellationToken);
        }
        await output.FlushAsync(cancellationToken);
    }
}
