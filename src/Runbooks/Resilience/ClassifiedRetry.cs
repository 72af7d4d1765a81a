using Polly;
using Polly.Retry;

namespace DrBot.Runbooks.Resilience;

/// <summary>What a classifier says about one failed attempt: try again (after the server's requested wait, if it named one), or give up.</summary>
public readonly record struct RetryVerdict(bool Transient, TimeSpan? After = null)
{
    /// <summary>Retrying will not help: a bad request, a refusal, a missing resource, our own cancellation.</summary>
    public static RetryVerdict Permanent { get; } = new(false);

    /// <summary>Worth another attempt; <paramref name="after"/> is the server's Retry-After when it sent one.</summary>
    public static RetryVerdict Retry(TimeSpan? after = null) => new(true, after);
}

/// <summary>How many retries after the first attempt, and the first backoff (doubled each time, capped at <see cref="MaxDelay"/>).</summary>
public sealed record RetrySettings(int MaxRetries, TimeSpan FirstDelay, TimeSpan? MaxDelay = null);

/// <summary>
/// The one retry policy of src/Runbooks (on Polly.Core): each caller says which failures are transient
/// (its classifier); transient ones are tried again with exponential backoff, or after the wait the
/// server asked for; permanent ones end at once and are thrown or returned as they were, and the
/// caller's own cancellation is never retried. Waits go
/// through the given <see cref="TimeProvider"/>, so tests advance a fake clock instead of sleeping.
/// </summary>
public static class ClassifiedRetry
{
    /// <summary>A policy over calls that fail by throwing: <paramref name="classify"/> sees each exception.</summary>
    public static ResiliencePipeline ForExceptions(RetrySettings settings, Func<Exception, RetryVerdict> classify, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = settings.FirstDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && !OwnCancellation(e, args.Context) && classify(e).Transient),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is { } e ? classify(e).After : null),
            });
        }
        return builder.Build();
    }

    /// <summary>
    /// A policy over calls that answer their failures (an HTTP status in a result) as well as throw:
    /// <paramref name="classify"/> sees the result or the exception of each attempt.
    /// </summary>
    public static ResiliencePipeline<T> ForOutcomes<T>(RetrySettings settings, Func<T?, Exception?, RetryVerdict> classify, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = time };
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = settings.FirstDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    !(args.Outcome.Exception is { } e && OwnCancellation(e, args.Context)) && classify(args.Outcome.Result, args.Outcome.Exception).Transient),
                DelayGenerator = args => ValueTask.FromResult(classify(args.Outcome.Result, args.Outcome.Exception).After),
            });
        }
        return builder.Build();
    }

    /// <summary>The caller's own cancellation is never retried (a timeout of the call itself may be).</summary>
    private static bool OwnCancellation(Exception e, ResilienceContext context) =>
        e is OperationCanceledException && context.CancellationToken.IsCancellationRequested;
}
