using System.Text;
using DrBot.Bot.Audit;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage.LiteDb;
using LiteDB;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Hosting;

/// <summary>
/// DrBot:Audit:CheckpointEvery = 3 on a real keyed LiteDB store: the writer puts a signed checkpoint
/// in the checkpoint file at exactly 3, 6, 9 … entries, however many arrive between two of its reads,
/// and verifying against the newest checkpoint is what reveals a cut tail.
/// </summary>
public sealed class AuditCheckpointEveryTests : IDisposable
{
    private const string Key = "a-test-audit-key-of-at-least-32-chars!";
    private static readonly byte[] KeyBytes = Encoding.UTF8.GetBytes(Key);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "drbot-audit-every-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero));

    private string DataFile => Path.Combine(_dataDir, "drbot.db");
    private string CheckpointFile => Path.Combine(_dataDir, "checkpoints", "audit.jsonl");

    [Fact]
    public async Task A_checkpoint_is_written_at_every_third_entry_and_verify_detects_a_tail_cut_below_the_newest()
    {
        var ct = CancellationToken.None;
        var options = Microsoft.Extensions.Options.Options.Create(new DrBotOptions { Audit = { Key = Key, CheckpointEvery = 3, CheckpointPath = CheckpointFile } });
        using (var store = new LiteDbStore(DataFile, _time) { AuditKey = KeyBytes })
        {
            var audit = new AuditLog(store, _time, options);
            var writer = new AuditCheckpointWriter(audit, store, options, new ConfigurationBuilder().Build(), _time, NullLogger<AuditCheckpointWriter>.Instance);
            await writer.StartAsync(ct);

            await RecordAsync(audit, 1, 7); // 7 entries between two reads: checkpoints at 3 and 6, not at 7
            await PollUntilAsync(() => Checkpoints().Count == 2);
            await RecordAsync(audit, 8, 9);
            await PollUntilAsync(() => Checkpoints().Count == 3);
            await writer.StopAsync(ct); // 9 entries are checkpointed already: nothing new at shutdown

            var entries = await audit.ReadAsync(ct);
            var checkpoints = Checkpoints();
            Assert.Equal([3L, 6L, 9L], checkpoints.Select(c => c.Count));
            Assert.All(checkpoints, c => Assert.Equal(entries[(int)c.Count - 1].Hash, c.HeadHash));
            Assert.All(checkpoints, c => Assert.Null(AuditCheckpoints.Check(c, entries, KeyBytes)));
            Assert.True((await audit.VerifyAsync(ct, await AuditCheckpoints.LatestAsync(writer.FilePath, ct))).Valid);
        }

        // Someone with write access to the file removes the last entry: the chain alone still links up,
        // the newest checkpoint (9 entries) says the tail was cut.
        using (var db = new LiteDatabase(new ConnectionString { Filename = DataFile, Connection = ConnectionType.Direct }))
        {
            Assert.True(db.GetCollection("audit").Delete(9));
        }
        using (var reopened = new LiteDbStore(DataFile, _time) { AuditKey = KeyBytes })
        {
            var audit = new AuditLog(reopened, _time, options);
            Assert.True((await audit.VerifyAsync(ct)).Valid);
            var verified = await audit.VerifyAsync(ct, await AuditCheckpoints.LatestAsync(CheckpointFile, ct));
            Assert.False(verified.Valid);
            Assert.Contains("tail was cut", verified.Problem, StringComparison.Ordinal);
        }
    }

    private static async Task RecordAsync(AuditLog audit, int from, int to)
    {
        for (var i = from; i <= to; i++)
        {
            await audit.RecordAsync("bob", "approve", $"run-{i}", $"entry {i}", CancellationToken.None);
        }
    }

    private List<AuditCheckpoint> Checkpoints() =>
        !File.Exists(CheckpointFile) ? [] :
        [.. File.ReadAllLines(CheckpointFile).Where(l => l.Length > 0).Select(l => System.Text.Json.JsonSerializer.Deserialize<AuditCheckpoint>(l, System.Text.Json.JsonSerializerOptions.Web)!)];

    /// <summary>Moves the writer's clock a poll (10 s) at a time until the condition holds; gives up after 600 polls.</summary>
    private async Task PollUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(20);
        }
        Assert.True(condition(), "the writer did not write the expected checkpoint");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
