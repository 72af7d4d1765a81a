namespace DrBot.Runbooks.Infrastructure.Live;

/// <summary>
/// A timeout linked to the caller's token, driven by the injected clock, that tells the two apart
/// afterwards: our timeout is a (transient) step failure, the caller's cancellation is not ours to
/// swallow.
/// </summary>
internal sealed class OperationDeadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;

    public OperationDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken callerToken)
    {
        Timeout = timeout;
        _timeout = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_timeout.Token, callerToken);
        CallerToken = callerToken;
    }

    public TimeSpan Timeout { get; }
    public CancellationToken Token => _linked.Token;
    public CancellationToken CallerToken { get; }

    /// <summary>True when the operation was cut by this deadline, not by the caller.</summary>
    public bool Expired => _timeout.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
