using DrBot.Runbooks.Resilience;

namespace DrBot.Runbooks.Tests.Resilience;

public sealed class ClassifiedRetryTests
{
    private static readonly RetrySettings ThreeRetries = new(3, TimeSpan.FromMilliseconds(100));

    private sealed class Flaky(string kind) : Exception(kind);

    private static RetryVerdict ByKind(Exception e) => e.Message switch
    {
        "transient" => RetryVerdict.Retry(),
        "throttled" => RetryVerdict.Retry(TimeSpan.FromSeconds(7)),
        _ => RetryVerdict.Permanent,
    };

    [Fact]
    public async Task Transient_failures_are_tried_again_after_doubling_waits_on_the_given_clock_until_the_call_succeeds()
    {
        var clock = new WaitRecordingClock();
        var retry = ClassifiedRetry.ForExceptions(ThreeRetries, ByKind, clock);
        var attempts = 0;

        var answer = await clock.DriveAsync(() => retry.ExecuteAsync(_ =>
            ++attempts < 3 ? throw new Flaky("transient") : ValueTask.FromResult("done"), CancellationToken.None).AsTask());

        Assert.Equal("done", answer);
        Assert.Equal(3, attempts);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], clock.Waits);
    }

    [Fact]
    public async Task A_permanent_failure_is_thrown_as_it_was_at_the_first_attempt_without_a_wait()
    {
        var clock = new WaitRecordingClock();
        var retry = ClassifiedRetry.ForExceptions(ThreeRetries, ByKind, clock);
        var attempts = 0;

        var error = await Assert.ThrowsAsync<Flaky>(() => clock.DriveAsync(() => retry.ExecuteAsync<string>(_ =>
        {
            attempts++;
            throw new Flaky("forbidden");
        }, CancellationToken.None).AsTask()));

        Assert.Equal("forbidden", error.Message);
        Assert.Equal(1, attempts);
        Assert.Empty(clock.Waits);
    }

    [Fact]
    public async Task The_wait_the_server_asked_for_replaces_the_backoff_and_the_last_failure_is_given_back_when_retries_run_out()
    {
        var clock = new WaitRecordingClock();
        var retry = ClassifiedRetry.ForExceptions(new RetrySettings(2, TimeSpan.FromMilliseconds(100)), ByKind, clock);
        var attempts = 0;

        var error = await Assert.ThrowsAsync<Flaky>(() => clock.DriveAsync(() => retry.ExecuteAsync<string>(_ =>
            throw new Flaky(++attempts == 1 ? "throttled" : attempts == 2 ? "transient" : "throttled"), CancellationToken.None).AsTask()));

        Assert.Equal(3, attempts);
        Assert.Equal("throttled", error.Message);
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromMilliseconds(200)], clock.Waits);
    }

    [Fact]
    public async Task Answers_are_classified_too_and_the_last_transient_answer_is_returned_when_retries_run_out()
    {
        var clock = new WaitRecordingClock();
        var retry = ClassifiedRetry.ForOutcomes<int>(
            new RetrySettings(2, TimeSpan.FromMilliseconds(50)),
            (status, _) => status is 429 or 503 ? RetryVerdict.Retry() : RetryVerdict.Permanent,
            clock);
        var answers = new Queue<int>([503, 429, 503, 200]);

        var last = await clock.DriveAsync(() => retry.ExecuteAsync(_ => ValueTask.FromResult(answers.Dequeue()), CancellationToken.None).AsTask());
        var permanent = await clock.DriveAsync(() => retry.ExecuteAsync(_ => ValueTask.FromResult(404), CancellationToken.None).AsTask());

        Assert.Equal(503, last);
        Assert.Equal([200], answers);
        Assert.Equal(404, permanent);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], clock.Waits);
    }

    [Fact]
    public async Task A_timeout_of_the_call_itself_is_retried_but_the_callers_own_cancellation_is_not()
    {
        var clock = new WaitRecordingClock();
        var retry = ClassifiedRetry.ForExceptions(ThreeRetries, _ => RetryVerdict.Retry(), clock);
        using var callTimeout = new CancellationTokenSource();
        callTimeout.Cancel();
        var timedOut = 0;

        var answer = await clock.DriveAsync(() => retry.ExecuteAsync(_ =>
            ++timedOut < 2 ? throw new OperationCanceledException(callTimeout.Token) : ValueTask.FromResult("done"), CancellationToken.None).AsTask());

        using var cancel = new CancellationTokenSource();
        var cancelled = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clock.DriveAsync(() => retry.ExecuteAsync<string>(token =>
        {
            cancelled++;
            cancel.Cancel();
            throw new OperationCanceledException(token);
        }, cancel.Token).AsTask()));

        Assert.Equal("done", answer);
        Assert.Equal(2, timedOut);
        Assert.Equal(1, cancelled);
        Assert.Equal([TimeSpan.FromMilliseconds(100)], clock.Waits);
    }

    [Fact]
    public async Task Without_retries_the_call_runs_once()
    {
        var clock = new WaitRecordingClock();
        var retry = ClassifiedRetry.ForExceptions(new RetrySettings(0, TimeSpan.FromMilliseconds(100)), ByKind, clock);
        var attempts = 0;

        await Assert.ThrowsAsync<Flaky>(() => clock.DriveAsync(() => retry.ExecuteAsync<string>(_ =>
        {
            attempts++;
            throw new Flaky("transient");
        }, CancellationToken.None).AsTask()));

        Assert.Equal(1, attempts);
    }
}
