using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Executors.Rehearsals;
using DrBot.Runbooks.Resilience;
using Polly;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// Runs a step's executor, or its parallel checks side by side, under one classified retry policy:
/// a transient result — an executor's <see cref="StepResult.Retry"/> or an unexpected exception such as
/// a network error — is retried with exponential backoff up to <see cref="RunbookEngineOptions.MaxAttempts"/>;
/// a bad argument fails at once (retrying will not fix it); the engine's own cancellation is not
/// caught, so it stops mid-step like a crash and the step is re-verified later.
/// </summary>
public sealed class StepRunner
{
    private readonly StepExecutorRegistry _executors;
    private readonly ResiliencePipeline<StepResult> _retry;
    private readonly int _maxAttempts;
    private readonly StepRehearsalRegistry? _rehearsals;

    /// <param name="rehearsals">What a practice run runs instead of each executor; without it a practice run runs no step.</param>
    public StepRunner(StepExecutorRegistry executors, RunbookEngineOptions options, TimeProvider time, StepRehearsalRegistry? rehearsals = null)
    {
        _executors = executors;
        _rehearsals = rehearsals;
        _maxAttempts = Math.Max(1, options.MaxAttempts);
        _retry = ClassifiedRetry.ForOutcomes<StepResult>(
            new RetrySettings(_maxAttempts - 1, options.RetryBaseDelay),
            (result, _) => result?.Kind == StepResultKind.Transient ? RetryVerdict.Retry() : RetryVerdict.Permanent,
            time);
    }

    public IReadOnlyList<string> ExecutorNames => _executors.Names;

    /// <summary>The step's work: its executor, or each of its parallel checks, results merged.</summary>
    public async Task<(StepResult Result, List<CheckResult> Checks)> RunAsync(RunRecord run, StepDefinition step, CancellationToken cancellationToken)
    {
        if (step.ParallelChecks.Count == 0)
        {
            return (await ExecuteAsync(run, step, step.Executor, step.Arguments, cancellationToken), []);
        }
        var results = await Task.WhenAll(step.ParallelChecks.Select(check =>
            ExecuteAsync(run, check, check.Executor, check.Arguments, cancellationToken)));
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

    /// <summary>One executor (a step's, a check's or a compensation's) under the retry policy; never transient when it returns.</summary>
    public async Task<StepResult> ExecuteAsync(RunRecord run, StepDefinition step, string? executorName, IReadOnlyDictionary<string, string> args, CancellationToken cancellationToken)
    {
        var executor = _executors.Find(executorName);
        if (executor is null)
        {
            return StepResult.Fail($"no step executor named '{executorName}'; registered: {string.Join(", ", _executors.Names)}");
        }
        if (run.Practice)
        {
            // A practice run changes nothing: every executor is replaced by its rehearsal, or not run at all.
            if (_rehearsals?.Find(executor.Name) is not { } rehearsal)
                return StepResult.Fail(StepRehearsalRegistry.NoRehearsal(executorName));
            executor = new RehearsalExecutor(rehearsal);
        }
        var context = new StepContext(run, step, StepArguments.Resolve(args, run));
        var result = await _retry.ExecuteAsync(
            static async (state, token) => await Classify(state.executor, state.context, token),
            (executor, context),
            cancellationToken);
        return result.Kind == StepResultKind.Transient ? StepResult.Fail($"gave up after {_maxAttempts} attempts: {result.Detail}") : result;
    }

    /// <summary>The classification: which failures are worth another attempt.</summary>
    private static async ValueTask<StepResult> Classify(IStepExecutor executor, StepContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await executor.ExecuteAsync(context, cancellationToken);
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
            return StepResult.Retry($"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
