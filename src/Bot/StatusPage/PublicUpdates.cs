using System.Text.Json;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.StatusPage;

/// <summary>One update written for customers (<c>incident update --public &lt;text&gt;</c>): the only incident text the status page shows.</summary>
public sealed record PublicUpdate(DateTimeOffset At, string Text);

/// <summary>The public updates of each incident, kept in the store (value <c>public-updates:&lt;incident id&gt;</c>).</summary>
public sealed class PublicUpdates(IIdempotencyStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public const int MaxLength = 2000;

    public async Task<IReadOnlyList<PublicUpdate>> ListAsync(string incidentId, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<List<PublicUpdate>>(await store.GetValueAsync(Key(incidentId), cancellationToken) ?? "[]", Json) ?? [];

    public async Task AddAsync(string incidentId, PublicUpdate update, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var updates = (await ListAsync(incidentId, cancellationToken)).Append(update).ToList();
            await store.SetValueAsync(Key(incidentId), JsonSerializer.Serialize(updates, Json), cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private static string Key(string incidentId) => $"public-updates:{incidentId}";
}
