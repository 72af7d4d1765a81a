using System.Text.Json;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Outbox;

/// <summary>A post given up on: which channel, what it was, why, after how many attempts.</summary>
public sealed record DeadLetter(long Sequence, string Channel, string PostKey, int Attempts, string Reason, DateTimeOffset At);

/// <summary>
/// The outbox's dead-letter list, kept in the store's key/value area (shared by replicas): the
/// total ever given up on and the most recent <see cref="Kept"/> entries, for /healthz, /metrics
/// and the notice in the channel.
/// </summary>
public sealed class OutboxDeadLetters(IIdempotencyStore store)
{
    public const int Kept = 100;
    private const string ListKey = "outbox:dead-letters";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _write = new(1, 1);

    public async Task AddAsync(OutboxMessage message, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken);
        try
        {
            var list = (await ListAsync(cancellationToken)).ToList();
            list.Add(new DeadLetter(message.Sequence, message.Channel, message.PostKey, message.Attempts + 1, Shorten(reason), at));
            await store.SetValueAsync(ListKey, JsonSerializer.Serialize(list.TakeLast(Kept), Json), cancellationToken);
        }
        finally
        {
            _write.Release();
        }
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(CancellationToken cancellationToken) =>
        await store.GetValueAsync(ListKey, cancellationToken) is { } stored
            ? JsonSerializer.Deserialize<List<DeadLetter>>(stored, Json) ?? []
            : [];

    private static string Shorten(string reason) => reason.Length <= 300 ? reason : reason[..300] + "…";
}
