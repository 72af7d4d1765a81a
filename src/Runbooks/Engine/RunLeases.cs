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

    /// <summary>
    /// Renews the lease every third of its length while a step runs, so a long step keeps its run. Each
    /// renewal is a compare-and-swap on the owner; once one is refused (another replica took the run
    /// over) the renewal's <see cref="Renewal.Token"/> is cancelled, which stops the local step.
    /// </summary>
    public Renewal RenewWhileRunning(string runId, CancellationToken cancellationToken) => new(this, runId, cancellationToken);

    private Task<bool> TryRenewAsync(string runId, CancellationToken cancellationToken) =>
        store.TryRenewRunLeaseAsync(runId, ReplicaId, time.GetUtcNow() + options.RunLease, cancellationToken);

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

    /// <summary>The renewal loop of one step; <see cref="Token"/> is cancelled when the step ends or the lease is lost.</summary>
    public sealed class Renewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;
        private volatile bool _lost;

        public Renewal(RunLeases leases, string runId, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Token = _stop.Token;
            _loop = LoopAsync(leases, runId);
        }

        /// <summary>The step's token: cancelled by the caller's token, or when a renewal is refused.</summary>
        public CancellationToken Token { get; }

        /// <summary>A renewal was refused: another replica holds the run now.</summary>
        public bool Lost => _lost;

        private async Task LoopAsync(RunLeases leases, string runId)
        {
            var every = leases.RenewEvery;
            try
            {
                while (true)
                {
                    await Task.Delay(every, leases.Time, Token);
                    bool renewed;
                    try
                    {
                        renewed = await leases.TryRenewAsync(runId, Token);
                    }
                    catch (StoreUnavailableException ex)
                    {
                        // A transient outage: the lease still names this replica, so try again at the next tick.
                        LogLeaseRenewalFailed(leases.Logger, ex, runId);
                        continue;
                    }
                    if (!renewed)
                    {
                        LogLeaseLost(leases.Logger, runId, leases.ReplicaId);
                        _lost = true;
                        await _stop.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the step ended
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    [LoggerMessage(EventId = LogEvents.RunLeaseLost, Level = LogLevel.Warning, Message = "Run {RunId}: replica {Replica} lost its lease (a renewal was refused: another replica took the run over after it expired); the local step is stopped")]
    private static partial void LogLeaseLost(ILogger logger, string runId, string replica);

    [LoggerMessage(EventId = LogEvents.RunLeaseRenewalFailed, Level = LogLevel.Warning, Message = "Run {RunId}: the lease could not be renewed because the store is unavailable; trying again at the next renewal")]
    private static partial void LogLeaseRenewalFailed(ILogger logger, Exception exception, string runId);
}
