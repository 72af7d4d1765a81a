using System.Text;
using System.Text.Json;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Storage.LiteDb;
using LiteDB;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Audit;

/// <summary>The audit log over the real LiteDB file, tampered with the way someone with the file would.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-audit-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private static CancellationToken Ct => CancellationToken.None;

    private string DataFile => Path.Combine(_folder, "drbot.db");

    private async Task WriteFiveEntriesAsync()
    {
        using var store = new LiteDbStore(DataFile, _time);
        var log = new AuditLog(store, _time);
        string[] actions = ["run.started", "gate.opened", "gate.refused", "gate.approved", "run.succeeded"];
        foreach (var action in actions)
        {
            await log.RecordAsync("bob", action, "R-1", $"{action} detail", Ct);
            _time.Advance(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Opens the data file without the store, as someone editing it by hand would.</summary>
    private void TamperWithFile(Action<ILiteCollection<BsonDocument>> tamper)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = DataFile, Connection = ConnectionType.Direct });
        tamper(db.GetCollection("audit"));
    }

    private async Task<AuditVerification> VerifyFileAsync()
    {
        using var store = new LiteDbStore(DataFile, _time);
        return await new AuditLog(store, _time).VerifyAsync(Ct);
    }

    [Fact]
    public async Task Recorded_entries_carry_the_clock_time_and_verify()
    {
        await WriteFiveEntriesAsync();

        using var store = new LiteDbStore(DataFile, _time);
        var entries = await new AuditLog(store, _time).ReadAsync(Ct);

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero), entries[1].At);
        Assert.True((await new AuditLog(store, _time).VerifyAsync(Ct)).Valid);
    }

    [Fact]
    public async Task An_entry_edited_in_the_data_file_is_caught()
    {
        await WriteFiveEntriesAsync();
        TamperWithFile(audit =>
        {
            var document = audit.FindById(3);
            document["json"] = document["json"].AsString.Replace("gate.refused", "gate.approved", StringComparison.Ordinal);
            audit.Update(document);
        });

        var result = await VerifyFileAsync();

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public async Task An_entry_deleted_from_the_data_file_is_caught()
    {
        await WriteFiveEntriesAsync();
        TamperWithFile(audit => audit.Delete(2));

        var result = await VerifyFileAsync();

        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBadSequence);
    }

    [Fact]
    public async Task Two_entries_swapped_in_the_data_file_are_caught()
    {
        await WriteFiveEntriesAsync();
        TamperWithFile(audit =>
        {
            var second = audit.FindById(2)["json"].AsString;
            var fourth = audit.FindById(4)["json"].AsString;
            audit.Update(new BsonDocument { ["_id"] = 2, ["json"] = fourth });
            audit.Update(new BsonDocument { ["_id"] = 4, ["json"] = second });
        });

        var result = await VerifyFileAsync();

        Assert.False(result.Valid);
        Assert.Equal(4, result.FirstBadSequence);
    }

    [Fact]
    public async Task Export_writes_one_json_object_per_line_with_the_hashes()
    {
        await WriteFiveEntriesAsync();
        using var store = new LiteDbStore(DataFile, _time);
        using var output = new MemoryStream();

        await new AuditLog(store, _time).ExportJsonLinesAsync(output, Ct);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(1, first.RootElement.GetProperty("sequence").GetInt64());
        Assert.Equal("run.started", first.RootElement.GetProperty("action").GetString());
        Assert.Equal(AuditChain.GenesisHash, first.RootElement.GetProperty("previousHash").GetString());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(first.RootElement.GetProperty("hash").GetString(), second.RootElement.GetProperty("previousHash").GetString());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
