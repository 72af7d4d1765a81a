using System.Reflection;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>The steps, projection, log and store wrapper the lease fencing tests give each replica.</summary>
public abstract partial class LeaseFencingTests
{
    /// <summary>The replica's real store, except that the next <see cref="FailuresLeft"/> lease renewals fail as if the store were unreachable.</summary>
    public class FlakyRenewals : DispatchProxy
    {
        private int _calls;
        public IDrBotStore Inner { get; set; } = null!;
        public int FailuresLeft;
        public int Calls => Volatile.Read(ref _calls);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IRunStore.TryRenewRunLeaseAsync))
            {
                Interlocked.Increment(ref _calls);
                if (Interlocked.Decrement(ref FailuresLeft) >= 0)
                {
                    return Task.FromException<bool>(new StoreUnavailableException("the store did not answer"));
                }
            }
            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }

    /// <summary>Blocks until released; says whether it was stopped by its token instead.</summary>
    private sealed class SlowStep : IStepExecutor
    {
        public const string Name = "test.slow";
        string IStepExecutor.Name => Name;
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            try
            {
                await Release.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }
            return StepResult.Ok("done");
        }
    }

    private sealed class CountingStep : IStepExecutor
    {
        public const string Name = "test.count";
        private int _calls;
        string IStepExecutor.Name => Name;
        public int Calls => Volatile.Read(ref _calls);

        public Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(StepResult.Ok("counted"));
        }
    }

    /// <summary>One outbox post per saved change, keyed by version, so a refused commit's post is visible by its absence.</summary>
    private sealed class PostPerChange : IRunProjection
    {
        public Task<IReadOnlyList<OutboxMessage>> ProjectAsync(RunRecord run, RunChange change, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OutboxMessage>>([new OutboxMessage(0, "local", run.Id, OutboxOperation.Post, $"v{run.Version}:{change.Name}", "{}", Start)]);
    }

    internal sealed class RecordingLog : ILogger<RunbookEngine>
    {
        private readonly List<int> _events = [];

        public IReadOnlyList<int> EventIds
        {
            get { lock (_events) { return [.. _events]; } }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_events)
            {
                _events.Add(eventId.Id);
            }
        }
    }
}
