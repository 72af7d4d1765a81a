using DrBot.Runbooks.Engine;

namespace DrBot.Runbooks.Executors;

/// <summary>The step executors by name. A name registered twice is a programming error, refused at start.</summary>
public sealed class StepExecutorRegistry
{
    private readonly Dictionary<string, IStepExecutor> _byName = new(StringComparer.OrdinalIgnoreCase);

    public StepExecutorRegistry(IEnumerable<IStepExecutor> executors)
    {
        foreach (var executor in executors)
        {
            if (!_byName.TryAdd(executor.Name, executor))
            {
                throw new InvalidOperationException($"Two step executors are registered as '{executor.Name}'.");
            }
        }
    }

    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    public IStepExecutor? Find(string? name) =>
        name is not null && _byName.TryGetValue(name, out var executor) ? executor : null;
}
