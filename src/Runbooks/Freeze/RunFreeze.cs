using System.Text.Json;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Freeze;

/// <summary>
/// Reads and writes the freeze in the store's key/value area (no table of its own): an empty value
/// means no freeze. A value that cannot be read counts as a freeze (fail closed): nothing starts or
/// goes on until a lead unfreezes, which writes a readable value again.
/// </summary>
public sealed class RunFreeze(IIdempotencyStore values)
{
    public const string Key = "drbot:freeze";

    public async Task<FreezeState?> CurrentAsync(CancellationToken cancellationToken)
    {
        var json = await values.GetValueAsync(Key, cancellationToken);
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }
        try
        {
            return StoreJson.Read<FreezeState>(json);
        }
        catch (Exception ex) when (ex is JsonException or StoreUnavailableException)
        {
            return new FreezeState("unknown", "an unreadable freeze record", "the stored freeze could not be read; unfreeze to clear it", DateTimeOffset.MinValue);
        }
    }

    public Task SetAsync(FreezeState? state, CancellationToken cancellationToken) =>
        values.SetValueAsync(Key, state is null ? "" : StoreJson.Write(state), cancellationToken);
}
