using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Preflight;

/// <summary>
/// Keeps the last pre-flight in the store's value area (every replica reads the same one: the command,
/// <c>/metrics</c>, the approval card) and says what changed since the one before.
/// </summary>
public sealed class PreflightRecorder(IIdempotencyStore values, TimeProvider time)
{
    public const string LastKey = "preflight:last";

    public async Task<PreflightReport?> LastAsync(CancellationToken cancellationToken) =>
        await values.GetValueAsync(LastKey, cancellationToken) is { } json ? StoreJson.Read<PreflightReport>(json) : null;

    /// <summary>Stores <paramref name="report"/> as the last one; returns each runbook whose readiness differs from before (a runbook first seen counts as having been ready).</summary>
    public async Task<IReadOnlyList<ReadinessChange>> RecordAsync(PreflightReport report, CancellationToken cancellationToken)
    {
        var last = await LastAsync(cancellationToken);
        await values.SetValueAsync(LastKey, StoreJson.Write(report), cancellationToken);
        return report.Runbooks
            .Select(r => new ReadinessChange(r, last?.For(r.Runbook, r.Region)?.Readiness))
            .Where(c => c.Now.Readiness != (c.Before ?? Executors.Rehearsals.Readiness.Ready))
            .ToList();
    }

    /// <summary>True once per change across replicas and restarts: whoever gets it posts the card.</summary>
    public Task<bool> ClaimNoticeAsync(ReadinessChange change, PreflightReport report, CancellationToken cancellationToken) =>
        values.TryClaimIdempotencyKeyAsync($"preflight-notice:{change.Now.Key}:{change.Now.Readiness}:{report.At.UtcTicks}", time.GetUtcNow(), cancellationToken);
}
