using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Definitions;

namespace DrBot.Runbooks.Executors;

/// <summary>The step executors by name. A name registered twice is a programming error, refused at start.</summary>
public sealed class StepExecutorRegistry
{
    private readonly Dictionary<string, IStepExecutor> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="declared">The names registered with <see cref="StepExecutorRegistration.AddStepExecutor{T}"/>; an executor whose own name differs is refused at start.</param>
    public StepExecutorRegistry(IEnumerable<IStepExecutor> executors, IEnumerable<StepExecutorName>? declared = null)
    {
        var names = declared?.Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var executor in executors)
        {
            if (names is { Count: > 0 } && !names.Contains(executor.Name))
            {
                throw new InvalidOperationException($"The step executor {executor.GetType().Name} calls itself '{executor.Name}', a name it was not registered under; register it with AddStepExecutor<{executor.GetType().Name}>(\"{executor.Name}\").");
            }
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
