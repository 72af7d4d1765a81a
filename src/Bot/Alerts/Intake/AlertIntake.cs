using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using DrBot.Bot.Alerts.Parsing;
using DrBot.Bot.Alerts.Rules;
using DrBot.Bot.Outbox;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Alerts.Intake;

/// <summary>
/// Deduplicates alerts against their group's record, decides each new one's action and hands them
/// to the <see cref="IAlertSink"/>, one batch per group. Deliveries queue here and one drain loop
/// handles whatever has queued as a single batch with a single store commit (group commit): the
/// records of every group the batch touched, their version claims and their card posts land together
/// or not at all, and only then are the senders answered. So a burst costs one commit per batch
/// instead of several per request, concurrent deliveries of one group cannot overwrite each other's
/// lines, and a crash or a failure before the commit leaves nothing half-handled: the sender's retry
/// (Alertmanager retries on 5xx) is simply accepted.
/// </summary>
public sealed partial class AlertIntake(IDrBotStore store, AlertRules rules, IAlertSink sink, OutboxSignal outbox, TimeProvider time, ILogger<AlertIntake> logger,
    ResolvedAlertGroupRetention? resolvedGroups = null, IOptions<AlertIntakeOptions>? options = null) : IDisposable
{
    /// <summary>
    /// Beginning of the key that claims each version of a group record. Only writers of one version
    /// at the same moment compete for it, so retention may drop it after an hour.
    /// </summary>
    public const string VersionClaimPrefix = "alertgroup-version:";

    /// <summary>Deliveries handled together at most; more wait for the next batch.</summary>
    private const int MaxDeliveriesPerBatch = 256;

    /// <summary>Commits refused because another replica wrote one of the groups first; each try reloads the records.</summary>
    private const int MaxCommitTries = 5;

    /// <summary>
    /// Deliveries waiting at most (<c>DrBot:Alerts:MaxQueuedDeliveries</c>); beyond that the webhook is told
    /// to retry later (503 with Retry-After) instead of the bot growing without bound.
    /// </summary>
    private readonly int _maxQueued = options?.Value.MaxQueuedDeliveries ?? AlertIntakeOptions.DefaultMaxQueuedDeliveries;

    private readonly Channel<Delivery> _queue = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(options?.Value.MaxQueuedDeliveries ?? AlertIntakeOptions.DefaultMaxQueuedDeliveries) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Deliveries accepted and waiting for the drain loop (not counting the batch being handled).</summary>
    public int QueuedDeliveries => _queue.Reader.Count;
    private readonly CancellationTokenSource _stopping = new();
    private int _draining;

    /// <summary>Webhook alerts: deduplicated, decided by the rules, recorded. Answers once they are committed.</summary>
    public Task<AlertIntakeSummary> AcceptAsync(IReadOnlyList<NormalizedAlert> alerts, CancellationToken cancellationToken) =>
        SubmitAsync(new Delivery(alerts, null), cancellationToken);

    /// <summary>
    /// Alerts whose action is already decided (the health monitor, drills): recorded on their group's
    /// card like webhook alerts, without deduplication or rules.
    /// </summary>
    public Task RecordDecidedAsync(IReadOnlyList<(NormalizedAlert Alert, AlertDecision Decision)> items, CancellationToken cancellationToken) =>
        SubmitAsync(new Delivery(items.Select(i => i.Alert).ToList(), items.Select(i => i.Decision).ToList()), cancellationToken);

    /// <summary>The store key of a group's record.</summary>
    public static string RecordKey(string groupKey) => $"alertgroup:{groupKey}";

    private Task<AlertIntakeSummary> SubmitAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.Alerts.Count == 0)
            return Task.FromResult(new AlertIntakeSummary(0, 0));
        if (!_queue.Writer.TryWrite(delivery))
            throw _stopping.IsCancellationRequested
                ? new StoreUnavailableException("the bot is stopping; nothing was accepted, retry later")
                : new AlertIntakeFullException($"the alert intake is full ({_maxQueued} deliveries waiting, DrBot:Alerts:MaxQueuedDeliveries); nothing was accepted, retry later");
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            var stopping = _stopping.Token;
            _ = Task.Run(() => DrainAsync(stopping), CancellationToken.None);
        }
        // An aborted request stops waiting; its alerts are still handled (a retry is then a duplicate).
        return delivery.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task DrainAsync(CancellationToken stopping)
    {
        var batch = new List<Delivery>(MaxDeliveriesPerBatch);
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxDeliveriesPerBatch && _queue.Reader.TryRead(out var next))
                batch.Add(next);
            if (batch.Count == 0)
            {
                // A full fence: the reset must be visible before the peek below reads the queue.
                Interlocked.Exchange(ref _draining, 0);
                // A delivery queued between the empty read and the reset saw the drain running and started none.
                if (!_queue.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
                    return;
                continue;
            }
            using (outbox.HoldDeliveries())
            {
                await HandleBatchAsync(batch, stopping);
            }
        }
    }

    /// <summary>
    /// Never throws: every delivery is answered. A batch that fails is retried one delivery at a time,
    /// so one bad delivery fails alone; a store that is down, or the bot stopping, fails them all at once
    /// (one at a time would only keep the senders waiting for the same answer).
    /// </summary>
    private async Task HandleBatchAsync(IReadOnlyList<Delivery> batch, CancellationToken stopping)
    {
        try
        {
            await CommitAsync(batch, stopping);
            return;
        }
        catch (Exception ex) when (batch.Count == 1 || ex is StoreUnavailableException or OperationCanceledException)
        {
            LogBatchFailed(logger, ex, batch.Count, batch.Sum(d => d.Alerts.Count));
            foreach (var delivery in batch)
                delivery.Done.TrySetException(ex);
            return;
        }
        catch (Exception ex)
        {
            LogBatchRetriedAlone(logger, ex, batch.Count);
        }
        foreach (var delivery in batch)
        {
            try
            {
                await CommitAsync([delivery], stopping);
            }
            catch (Exception ex)
            {
                LogBatchFailed(logger, ex, 1, delivery.Alerts.Count);
                delivery.Done.TrySetException(ex);
            }
        }
    }

    private async Task CommitAsync(IReadOnlyList<Delivery> batch, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            var prepared = await PrepareAsync(batch, stopping);
            if (prepared.Commit.Values.Count == 0 && prepared.Commit.Messages.Count == 0 || await store.TryCommitAsync(prepared.Commit, time.GetUtcNow(), stopping))
            {
                if (prepared.Commit.Messages.Count > 0)
                    outbox.Notify();
                for (var i = 0; i < batch.Count; i++)
                    batch[i].Done.TrySetResult(prepared.Summaries[i]);
                prepared.Log(logger);
                return;
            }
            if (attempt == MaxCommitTries)
                throw new InvalidOperationException($"alert groups kept changing under this batch ({MaxCommitTries} tries): another replica writes the same groups; retry the delivery");
            LogCommitConflict(logger, attempt);
        }
    }

    private async Task<PreparedBatch> PrepareAsync(IReadOnlyList<Delivery> batch, CancellationToken cancellationToken)
    {
        // Each group once, in order of first appearance, with its alerts in delivery order.
        var groups = new Dictionary<string, List<(int Delivery, int Index)>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var d = 0; d < batch.Count; d++)
        {
            for (var i = 0; i < batch[d].Alerts.Count; i++)
            {
                var key = batch[d].Alerts[i].GroupKey;
                if (!groups.TryGetValue(key, out var members))
                {
                    groups[key] = members = [];
                    order.Add(key);
                }
                members.Add((d, i));
            }
        }

        var accepted = new int[batch.Count];
        var duplicates = new int[batch.Count];
        var claims = new List<string>();
        var values = new List<KeyValuePair<string, string>>();
        var expiries = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var keepResolvedUntil = time.GetUtcNow() + (resolvedGroups ?? ResolvedAlertGroupRetention.Default).KeepFor;
        var writes = new AlertWrites();
        var ruleValues = new AlertRuleValues(store);
        var handled = new List<AlertBatch>();
        var stored = await store.GetValuesAsync(order.Select(RecordKey).ToList(), cancellationToken);
        foreach (var groupKey in order)
        {
            var record = AlertGroupRecord.Read(stored.GetValueOrDefault(RecordKey(groupKey)));
            var items = new List<(NormalizedAlert Alert, AlertDecision Decision)>();
            foreach (var (d, i) in groups[groupKey])
            {
                var alert = batch[d].Alerts[i];
                AlertDecision decision;
                if (batch[d].Decisions is { } decided)
                {
                    decision = decided[i];
                }
                else if (record.IsNew(alert))
                {
                    decision = await rules.DecideAsync(alert, ruleValues, cancellationToken);
                }
                else
                {
                    duplicates[d]++;
                    continue;
                }
                record.Apply(alert, decision);
                items.Add((alert, decision));
                accepted[d]++;
            }
            if (items.Count == 0)
                continue;
            var group = new AlertBatch(groupKey, items, record.Lines);
            await sink.HandleAsync(group, writes, cancellationToken);
            claims.Add(VersionClaim(groupKey, record.Version + 1));
            values.Add(new(RecordKey(groupKey), record.WriteNextVersion()));
            if (record.IsResolved)
                expiries[RecordKey(groupKey)] = keepResolvedUntil;
            handled.Add(group);
        }
        values.AddRange(ruleValues.Written);
        var summaries = Enumerable.Range(0, batch.Count).Select(d => new AlertIntakeSummary(accepted[d], duplicates[d])).ToList();
        return new PreparedBatch(new StoreCommit(claims, values, writes.Messages) { ValueExpiries = expiries }, summaries, handled);
    }

    /// <summary>The idempotency key a group's write of <paramref name="version"/> claims (hashed: group keys can be long).</summary>
    private static string VersionClaim(string groupKey, int version) =>
        $"{VersionClaimPrefix}{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(groupKey)))}:{version}";

    public void Dispose()
    {
        // Cancelled, not disposed: a drain starting at this moment may still read its token.
        _queue.Writer.TryComplete();
        _stopping.Cancel();
    }

    /// <summary>One webhook request's alerts (or already decided alerts) and the answer its sender waits for.</summary>
    private sealed record Delivery(IReadOnlyList<NormalizedAlert> Alerts, IReadOnlyList<AlertDecision>? Decisions)
    {
        public TaskCompletionSource<AlertIntakeSummary> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record PreparedBatch(StoreCommit Commit, IReadOnlyList<AlertIntakeSummary> Summaries, IReadOnlyList<AlertBatch> Groups)
    {
        public void Log(ILogger logger)
        {
            if (!logger.IsEnabled(LogLevel.Information))
                return;
            foreach (var group in Groups)
                LogBatch(logger, group.GroupKey, group.Items.Count, string.Join(", ", group.Items.Select(i => $"{i.Alert.Name} {i.Alert.Status}: {i.Decision.Action}")));
        }
    }

    [LoggerMessage(EventId = HostLogEvents.AlertGroupHandled, Level = LogLevel.Information, Message = "Alert group {GroupKey}: {Count} new ({Actions})")]
    private static partial void LogBatch(ILogger logger, string groupKey, int count, string actions);

    [LoggerMessage(EventId = HostLogEvents.AlertIntakeFailed, Level = LogLevel.Error, Message = "Alert intake failed for {Deliveries} deliveries ({Alerts} alerts); nothing of them was kept, so the senders' retries will be accepted")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int deliveries, int alerts);

    [LoggerMessage(EventId = HostLogEvents.AlertBatchCommitted, Level = LogLevel.Warning, Message = "Alert batch of {Deliveries} deliveries failed; handling them one at a time so only the bad one fails")]
    private static partial void LogBatchRetriedAlone(ILogger logger, Exception exception, int deliveries);

    [LoggerMessage(EventId = HostLogEvents.AlertBatchCommitRefused, Level = LogLevel.Information, Message = "Alert batch commit refused (try {Attempt}): another replica wrote one of its groups first; reloading")]
    private static partial void LogCommitConflict(ILogger logger, int attempt);
}

/// <summary>The intake's queue is full: nothing of the delivery was accepted; the sender retries later.</summary>
public sealed class AlertIntakeFullException(string message) : Exception(message);
