using DrBot.Runbooks.Definitions;

namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>Runs the step's executor, or its parallel checks side by side, each with bounded retries.</summary>
    private async Task<(StepResult Result, List<CheckResult> Checks)> RunStepWorkAsync(RunRecord run, StepDefinition step, CancellationToken cancellationToken)
    {
        if (step.ParallelChecks.Count == 0)
        {
            return (await ExecuteWithRetriesAsync(run, step, step.Executor, step.Arguments, cancellationToken), []);
        }
        var results = await Task.WhenAll(step.ParallelChecks.Select(check =>
            ExecuteWithRetriesAsync(run, check, check.Executor, check.Arguments, cancellationToken)));
        var checks = step.ParallelChecks
            .Select((check, i) => new CheckResult(check.Id, StepArguments.ResolveTitle(check.Title, run), results[i].Kind == StepResultKind.Succeeded, results[i].Detail))
            .ToList();
        var facts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in results.SelectMany(r => r.Facts ?? new Dictionary<string, string>()))
        {
            facts[key] = value;
        }
        var failed = checks.Where(c => !c.Passed).ToList();
        if (failed.Count == 0)
        {
            return (StepResult.Ok($"{checks.Count} checks passed: {string.Join("; ", checks.Select(c => c.Detail))}", facts), checks);
        }
        var signal = results.Select(r => r.RollbackSignal).FirstOrDefault(s => s is not null);
        return (StepResult.Fail($"{failed.Count} of {checks.Count} checks failed: {string.Join("; ", failed.Select(c => c.Detail))}", signal, facts), checks);
    }

    /// <summary>
    /// Transient results (and unexpected exceptions, e.g. a network error in an adapter) are retried with
    /// exponential backoff, up to <see cref="RunbookEngineOptions.MaxAttempts"/>; then they count as failed.
    /// Cancellation is not caught: it stops the engine mid-step like a crash would, and the step is re-verified later.
    /// </summary>
    private async Task<StepResult> ExecuteWithRetriesAsync(RunRecord run, StepDefinition step, string? executorName, IReadOnlyDictionary<string, string> args, CancellationToken cancellationToken)
    {
        var executor = _executors.Find(executorName);
        if (executor is null)
        {
            return StepResult.Fail($"no step executor named '{executorName}'; registered: {string.Join(", ", _executors.Names)}");
        }
        var context = new StepContext(run, step, StepArguments.Resolve(args, run));
        var maxAttempts = Math.Max(1, _engineOptions.MaxAttempts);
        StepResult result = StepResult.Retry("not run");
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            try
            {
                result = await executor.ExecuteAsync(context, cancellationToken);
            }
            catch (Infrastructure.Live.InfrastructureNotConfiguredException ex)
            {
                // A missing key, or a 404/403 from an API: permanent until someone changes the configuration.
                return StepResult.Fail(ex.Message);
            }
            catch (ArgumentException ex)
            {
                // A missing or bad argument will not get better by retrying.
                return StepResult.Fail(ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Network errors and adapter timeouts: transient. Our own cancellation is not caught.
                result = StepResult.Retry($"{ex.GetType().Name}: {ex.Message}");
            }
            if (result.Kind != StepResultKind.Transient)
            {
                return result;
            }
            if (attempt < maxAttempts && _engineOptions.RetryBaseDelay > TimeSpan.Zero)
            {
                await Task.Delay(_engineOptions.RetryBaseDelay * Math.Pow(2, attempt - 1), _time, cancellationToken);
            }
        }
        return StepResult.Fail($"gave up after {maxAttempts} attempts: {result.Detail}");
    }
}
