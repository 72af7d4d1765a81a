using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Drills;

/// <summary>
/// Keeps exercise records in the store's key/value area (<c>exercise:EX-0001</c>), numbered by the
/// store's sequence so two replicas never reuse an id. Listing reads ids in batches until a whole
/// batch is empty (a crash between numbering and saving leaves at most a small gap).
/// </summary>
public sealed class ExerciseArchive(IDrBotStore store)
{
    private const int Batch = 50;

    public static string Key(string id) => $"exercise:{id.ToUpperInvariant()}";

    public async Task<string> NextIdAsync(CancellationToken cancellationToken) =>
        $"EX-{await store.NextSequenceAsync("exercise", cancellationToken):0000}";

    public Task SaveAsync(ExerciseRecord record, CancellationToken cancellationToken) =>
        store.SetValueAsync(Key(record.Id), StoreJson.Write(record), cancellationToken);

    public async Task<ExerciseRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        await store.GetValueAsync(Key(id), cancellationToken) is { } json ? StoreJson.Read<ExerciseRecord>(json) : null;

    /// <summary>Every exercise, oldest first.</summary>
    public async Task<IReadOnlyList<ExerciseRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<ExerciseRecord>();
        for (var first = 1; ; first += Batch)
        {
            var keys = Enumerable.Range(first, Batch).Select(n => Key($"EX-{n:0000}")).ToList();
            var values = await store.GetValuesAsync(keys, cancellationToken);
            if (values.Count == 0)
                return records;
            records.AddRange(keys.Where(values.ContainsKey).Select(k => StoreJson.Read<ExerciseRecord>(values[k])));
        }
    }
}
