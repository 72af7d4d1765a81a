using System.Text.Json;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Audit;

/// <summary>
/// The append-only audit log (SOC 2 / HIPAA / ISO 27001 evidence in the strategy): every action,
/// decision, refusal and escalation is recorded with the time from <see cref="TimeProvider"/>;
/// the store chains each entry to the one before, and <see cref="VerifyAsync"/> proves nothing was
/// edited, removed or reordered since.
/// </summary>
public sealed class AuditLog(IAuditStore store, TimeProvider time)
{
    private static readonly JsonSerializerOptions ExportOptions = new(JsonSerializerDefaults.Web);

    public Task<AuditEntry> RecordAsync(string actor, string action, string subject, string detail, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        return store.AppendAuditAsync(new AuditDraft(time.GetUtcNow(), actor, action, subject ?? "", detail ?? ""), cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(CancellationToken cancellationToken) =>
        await store.ReadAuditAsync(cancellationToken);

    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken) =>
        AuditChain.Verify(await store.ReadAuditAsync(cancellationToken));

    /// <summary>Writes every entry as one JSON object per line (camelCase, hashes included), oldest first.</summary>
    public async Task ExportJsonLinesAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var entries = await store.ReadAuditAsync(cancellationToken);
        var newline = "\n"u8.ToArray();
        foreach (var entry in entries)
        {
            await JsonSerializer.SerializeAsync(output, entry, ExportOptions, cancellationToken);
            await output.WriteAsync(newline, cancellationToken);
        }
        await output.FlushAsync(cancellationToken);
    }
}
