namespace DrBot.Runbooks.Engine;

public sealed partial class RunbookEngine
{
    /// <summary>The run lease owner this engine writes: one id per replica.</summary>
    public string ReplicaId => _engineOptions.ReplicaId;

    /// <summary>Leases (or renews) the run for this replica; false when another replica holds a live lease.</summary>
    private Task<bool> TryLeaseAsync(string runId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return _store.TryLeaseRunAsync(runId, ReplicaId, now + _engineOptions.RunLease, now, cancellationToken);
    }

    /// <summary>
    /// Waits up to <see cref="RunbookEngineOptions.LeaseWait"/> for the run's lease (another replica
    /// finishing a short change), giving up early when <paramref name="stop"/> says waiting is pointless.
    /// </summary>
    private async Task<RunLeaseHold> HoldLeaseAsync(string runId, Func<Task<bool>>? stop, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _engineOptions.LeaseWait;
        while (true)
        {
            if (await TryLeaseAsync(runId, cancellationToken))
            {
                return new RunLeaseHold(this, runId, true);
            }
            if ((stop is not null && await stop()) || _time.GetUtcNow() >= deadline
                || await _store.GetRunAsync(runId, cancellationToken) is null)
            {
                return new RunLeaseHold(this, runId, false);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken);
        }
    }

    /// <summary>
    /// Renews the lease every third of its length while a step runs, so a long step keeps its run;
    /// a replica that stops renewing (it died) loses the run once the lease expires.
    /// </summary>
    private LeaseRenewal RenewWhileRunning(string runId, CancellationToken cancellationToken) =>
        new(this, runId, cancellationToken);

    private sealed class LeaseRenewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;

        public LeaseRenewal(RunbookEngine engine, string runId, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _loop = LoopAsync(engine, runId, _stop.Token);
        }

        private static async Task LoopAsync(RunbookEngine engine, string runId, CancellationToken cancellationToken)
        {
            var every = engine._engineOptions.RunLease / 3;
            try
            {
                while (true)
                {
                    await Task.Delay(every, engine._time, cancellationToken);
                    if (!await engine.TryLeaseAsync(runId, cancellationToken))
                    {
                        LogLeaseLost(engine._logger, runId, engine.ReplicaId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the step ended
            }
            catch (Storage.StoreUnavailableException ex)
            {
                LogLeaseRenewalFailed(engine._logger, ex, runId);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    /// <summary>A run lease held (or not) for one change; releasing it lets another replica take the run at once.</summary>
    private sealed class RunLeaseHold(RunbookEngine engine, string runId, bool held) : IAsyncDisposable
    {
        public bool Held => held;

        public async ValueTask DisposeAsync()
        {
            if (held)
            {
                await engine._store.ReleaseRunLeaseAsync(runId, engine.ReplicaId, CancellationToken.None);
            }
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2004, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Run {RunId}: replica {Replica} could not renew its lease (it was taken over after expiring)")]
    private static partial void LogLeaseLost(Microsoft.Extensions.Logging.ILogger logger, string runId, string replica);

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 2005, Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Run {RunId}: the lease could not be renewed because the store is unavailable")]
    private static partial void LogLeaseRenewalFailed(Microsoft.Extensions.Logging.ILogger logger, Exception exception, string runId);
}
