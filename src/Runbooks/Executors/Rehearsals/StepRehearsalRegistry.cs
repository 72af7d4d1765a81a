namespace DrBot.Runbooks.Executors.Rehearsals;

/// <summary>The rehearsals by executor name. An executor without one cannot be practised or pre-flighted: that is said, never guessed.</summary>
public sealed class StepRehearsalRegistry
{
    private readonly Dictionary<string, IStepRehearsal> _byName = new(StringComparer.OrdinalIgnoreCase);

    public StepRehearsalRegistry(IEnumerable<IStepRehearsal> rehearsals)
    {
        foreach (var rehearsal in rehearsals)
        {
            if (!_byName.TryAdd(rehearsal.Name, rehearsal))
                throw new InvalidOperationException($"Two step rehearsals are registered for '{rehearsal.Name}'.");
        }
    }

    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    public IStepRehearsal? Find(string? executor) =>
        executor is not null && _byName.TryGetValue(executor, out var rehearsal) ? rehearsal : null;

    /// <summary>What a practice run says about an executor that has no rehearsal: it is not run.</summary>
    public static string NoRehearsal(string? executor) =>
        $"the step executor '{executor}' has no practice mode (no rehearsal is registered for it), so a practice run does not run it";
}
