using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Engine;

/// <summary>
/// Who may touch a run: in this process one change at a time (a lock per run, since a Stateless
/// machine is single-threaded), and among replicas only the holder of the run's lease in the store.
/// A lease is renewed while a step runs and released when the run stops; a replica that dies stops
/// renewing, and another takes the run over once the lease expires.
/// </summary>
internal sealed partial class RunLeases(IRunStore store, RunbookEngineOptions options, TimeProvider time, ILogger logger)
{
    private readonly RunLocks _locks = new();

    public string ReplicaId => options.ReplicaId;

    private TimeSpan RenewEvery => options.RunLease / 3;
    private TimeProvider Time => time;
    private ILogger Logger => logger;

    public Task<IDisposable> LockAsync(string runId, CancellationToken cancellationToken) => _locks.LockAsync(runId, cancellationToken);

    /// <summary>Leases (or renews) the run for this replica; false when another replica holds a live lease.</summary>
    public Task<bool> TryLeaseAsync(string runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.TryLeaseRunAsync(runId, ReplicaId, now + options.RunLease, now, cancellationToken);
    }

    public Task ReleaseAsync(string runId, CancellationToken cancellationToken) =>
        store.ReleaseRunLeaseAsync(runId, ReplicaId, cancellationToken);

    /// <summary>
    /// Waits up to <see cref="RunbookEngineOptions.LeaseWait"/> for the run's lease (another replica
    /// finishing a short change), giving up early when <paramref name="stop"/> says waiting is pointless.
    /// </summary>
    public async Task<Hold> HoldAsync(string runId, Func<Task<bool>>? stop, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.LeaseWait;
        while (true)
        {
            if (await TryLeaseAsync(runId, cancellationToken))
            {
                return new Hold(this, runId, true);
            }
            if ((stop is not null && await stop()) || time.GetUtcNow() >= deadline
                || await store.GetRunAsync(runId, cancellationToken) is null)
            {
                return new Hold(this, runId, false);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        }
    }

    /// <summary>A lease already taken, released when disposed.</summary>
    public Hold Held(string runId) => new(this, runId, true);

    /// <summary>Renews the lease every third of its length while a step runs, so a long step keeps its run.</summary>
    public IAsyncDisposable RenewWhileRunning(string runId, CancellationToken cancellationToken) => new Renewal(this, runId, cancellationToken);

    /// <summary>Another replica holds a live lease on the run.</summary>
    public bool HeldByAnotherReplica(RunRecord run) =>
        run.LeaseOwner is not null && run.LeaseUntil > time.GetUtcNow()
        && !string.Equals(run.LeaseOwner, ReplicaId, StringComparison.Ordinal);

    /// <summary>A run lease held (or not) for one change; releasing it lets another replica take the run at once.</summary>
    public sealed class Hold(RunLeases leases, string runId, bool held) : IAsyncDisposable
    {
        public bool Held => held;

        public async ValueTask DisposeAsync()
        {
            if (held)
            {
                await leases.ReleaseAsync(runId, CancellationToken.None);
            }
        }
    }

    private sealed class Renewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;

        public Renewal(RunLeases leases, string runId, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _loop = LoopAsync(leases, runId, _stop.Token);
        }

        private static async Task LoopAsync(RunLeases leases, string runId, CancellationToken cancellationToken)
        {
            var every = leases.RenewEvery;
            try
            {
                while (true)
                {
                    await Task.Delay(every, leases.Time, cancellationToken);
                    if (!await leases.TryLeaseAsync(runId, cancellationToken))
                    {
                        LogLeaseLost(leases.Logger, runId, leases.ReplicaId);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the step ended
            }
            catch (StoreUnavailableException ex)
            {
                LogLeaseRenewalFailed(leases.Logger, ex, runId);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    [LoggerMessage(EventId = LogEvents.RunLeaseLost, Level = LogLevel.Warning, Message = "Run {RunId}: replica {Replica} could not renew its lease (it was taken over after expiring)")]
    private static partial void LogLeaseLost(ILogger logger, string runId, string replica);

    [LoggerMessage(EventId = LogEvents.RunLeaseRenewalFailed, Level = LogLevel.Warning, Message = "Run {RunId}: the lease could not be renewed because the store is unavailable")]
    private static partial void LogLeaseRenewalFailed(ILogger logger, Exception exception, string runId);
}
