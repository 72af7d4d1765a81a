using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>What only the file-backed store does: survive a restart, and refuse clearly when the file is unusable.</summary>
public sealed class LiteDbStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-litedb-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private string DataFile => Path.Combine(_folder, "data", "drbot.db");

    [Fact]
    public async Task Runs_saved_before_the_outcome_field_are_counted_after_reopening()
    {
        using (var store = new LiteDbStore(DataFile, _time))
        {
            var run = new DrBot.Runbooks.Runs.RunRecord { Id = "R-old", Runbook = "region-failover", StartedAt = _time.GetUtcNow(), Outcome = DrBot.Runbooks.Runs.RunOutcome.Succeeded };
            Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(run, []), _time.GetUtcNow(), CancellationToken.None));
        }
        using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = DataFile, Connection = LiteDB.ConnectionType.Direct }))
        {
            // As a file written by an earlier DrBot: the run document has no outcome field.
            var runs = db.GetCollection("runs");
            var document = runs.FindById("R-old");
            Assert.True(document.Remove("outcome"));
            runs.Update(document);
        }

        using var reopened = new LiteDbStore(DataFile, _time);

        Assert.Equal(1, (await reopened.CountRunsByOutcomeAsync(CancellationToken.None))[DrBot.Runbooks.Runs.RunOutcome.Succeeded]);
    }

    [Fact]
    public async Task Records_survive_closing_and_reopening_the_file_and_idempotency_still_holds()
    {
        var decision = new GateDecision("R-1", "approve", true, "bob", "Bob", "local", _time.GetUtcNow(), null);
        using (var store = new LiteDbStore(DataFile, _time))
        {
            Assert.True(await store.TryRecordDecisionAsync(decision, CancellationToken.None));
            await store.AppendAuditAsync(new AuditDraft(_time.GetUtcNow(), "bob", "gate.approved", "R-1", ""), CancellationToken.None);
            await store.NextSequenceAsync("incident", CancellationToken.None);
        }

        using var reopened = new LiteDbStore(DataFile, _time);

        Assert.False(await reopened.TryRecordDecisionAsync(decision with { DecidedBy = "carol" }, CancellationToken.None));
        Assert.Equal("bob", (await reopened.GetDecisionAsync("R-1", "approve", CancellationToken.None))!.DecidedBy);
        Assert.Equal(2, (await reopened.AppendAuditAsync(new AuditDraft(_time.GetUtcNow(), "x", "y", "z", ""), CancellationToken.None)).Sequence);
        Assert.Equal(2, await reopened.NextSequenceAsync("incident", CancellationToken.None));
    }

    [Fact]
    public async Task A_run_lease_left_in_the_file_by_a_stopped_process_is_void_when_the_file_is_opened_again()
    {
        var ct = CancellationToken.None;
        var now = _time.GetUtcNow();
        var run = new DrBot.Runbooks.Runs.RunRecord { Id = "run-1", Runbook = "region-failover", StartedAt = now, Version = 1 };
        using (var store = new LiteDbStore(DataFile, _time))
        {
            Assert.True(await store.TryCommitAsync(StoreCommit.ForRun(run, []), now, ct));
            Assert.True(await store.TryLeaseRunAsync("run-1", "old-process", now.AddMinutes(5), now, ct));
            Assert.False(await store.TryLeaseRunAsync("run-1", "new-process", now.AddMinutes(5), now, ct));
        }

        using var reopened = new LiteDbStore(DataFile, _time);

        Assert.Null((await reopened.GetRunAsync("run-1", ct))!.LeaseOwner);
        Assert.True(await reopened.TryLeaseRunAsync("run-1", "new-process", now.AddMinutes(5), now, ct));
        Assert.False(await reopened.TryRenewRunLeaseAsync("run-1", "old-process", now.AddMinutes(6), ct));
    }

    [Fact]
    public async Task After_reopening_the_file_each_channel_resumes_at_its_oldest_undelivered_message()
    {
        var ct = CancellationToken.None;
        var now = _time.GetUtcNow();
        OutboxMessage Message(string channel, string key) => new(0, channel, "", OutboxOperation.Post, key, "{}", now, null, null);
        using (var store = new LiteDbStore(DataFile, _time))
        {
            var first = await store.EnqueueAsync(Message("local", "a"), ct);
            await store.EnqueueAsync(Message("slack", "b"), ct);
            await store.EnqueueAsync(Message("local", "c"), ct);
            await store.MarkDeliveredAsync(first, now, ct);
        }

        using var reopened = new LiteDbStore(DataFile, _time);
        var heads = await reopened.ClaimDueOutboxAsync(now, "dispatcher", TimeSpan.FromMinutes(1), ct);

        Assert.Equal(["b", "c"], heads.Select(m => m.PostKey));
        await reopened.MarkDeliveredAsync(heads[1].Sequence, now, ct);
        var next = await reopened.EnqueueAsync(Message("local", "d"), ct);
        var after = await reopened.ClaimDueOutboxAsync(now, "dispatcher", TimeSpan.FromMinutes(1), ct);
        Assert.Equal([("b", heads[0].Sequence), ("d", next)], after.Select(m => (m.PostKey, m.Sequence)));
    }

    [Fact]
    public async Task Outbox_messages_written_with_the_payload_inside_their_JSON_are_still_delivered_in_order()
    {
        var ct = CancellationToken.None;
        var now = _time.GetUtcNow();
        // The earlier layout: auto-numbered documents whose JSON carries the whole message, payload included.
        Directory.CreateDirectory(Path.GetDirectoryName(DataFile)!);
        using (var db = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = DataFile, Connection = LiteDB.ConnectionType.Direct }))
        {
            var outbox = db.GetCollection("outbox", LiteDB.BsonAutoId.Int64);
            for (var i = 1; i <= 2; i++)
            {
                var old = new OutboxMessage(i, "slack", "C1", OutboxOperation.Post, $"old-{i}", $"{{\"text\":\"card {i}\"}}", now);
                outbox.Insert(new LiteDB.BsonDocument { ["channel"] = "slack", ["delivered"] = false, ["json"] = StoreJson.Write(old) });
            }
        }

        using var store = new LiteDbStore(DataFile, _time);
        var newer = await store.EnqueueAsync(new OutboxMessage(0, "slack", "C1", OutboxOperation.Post, "new", "{\"text\":\"card 3\"}", now), ct);
        var delivered = new List<OutboxMessage>();
        while ((await store.ClaimDueOutboxAsync(now, "dispatcher", TimeSpan.FromMinutes(1), ct)).SingleOrDefault() is { } head)
        {
            delivered.Add(head);
            await store.CompleteDeliveryAsync(head, now, null, ct);
        }

        Assert.Equal(3, newer);
        Assert.Equal([(1L, "{\"text\":\"card 1\"}"), (2L, "{\"text\":\"card 2\"}"), (3L, "{\"text\":\"card 3\"}")], delivered.Select(m => (m.Sequence, m.Payload)));
        Assert.All(await store.ListOutboxAsync(undeliveredOnly: false, ct), m => Assert.Equal(now, m.DeliveredAt));
    }

    [Fact]
    public void A_file_held_by_another_store_is_refused_with_a_store_unavailable_error_naming_it()
    {
        using var first = new LiteDbStore(DataFile, _time);

        var error = Assert.Throws<StoreUnavailableException>(() => new LiteDbStore(DataFile, _time));

        Assert.Contains(DataFile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_file_is_refused_with_a_store_unavailable_error()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DataFile)!);
        File.WriteAllBytes(DataFile, Enumerable.Range(0, 16384).Select(i => (byte)(i * 7 % 251)).ToArray());

        var error = Assert.Throws<StoreUnavailableException>(() => new LiteDbStore(DataFile, _time));

        Assert.Contains("unavailable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_store_refuses_calls_with_a_store_unavailable_error()
    {
        var store = new LiteDbStore(DataFile, _time);
        store.Dispose();

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetRunAsync("R-1", CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
