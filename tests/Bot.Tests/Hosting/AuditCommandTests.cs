using System.Diagnostics;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage.LiteDb;
using LiteDB;

namespace DrBot.Bot.Tests.Hosting;

/// <summary>
/// <c>dotnet DrBot.Bot.dll audit verify|export</c> as a process against a real keyed LiteDB store and
/// checkpoint file, and the chat command <c>audit verify</c>.
/// </summary>
public sealed class AuditCommandTests
{
    private const string Key = "a-test-audit-key-of-at-least-32-chars!";

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string dataDir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoPaths.BotDll);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["DrBot__Store__LiteDb__Path"] = Path.Combine(dataDir, "drbot.db");
        start.Environment["DrBot__Audit__Key"] = Key;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await error);
    }

    private static async Task<string> KeyedStoreWithCheckpointAsync(int entries)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-audit-cli-" + Guid.NewGuid().ToString("N"));
        using (var store = new LiteDbStore(Path.Combine(dataDir, "drbot.db"), TimeProvider.System) { AuditKey = System.Text.Encoding.UTF8.GetBytes(Key) })
        {
            for (var i = 1; i <= entries; i++)
                await store.AppendAuditAsync(new AuditDraft(DateTimeOffset.UnixEpoch.AddDays(i), "bob", "approve", $"run-{i}", $"entry {i}"), CancellationToken.None);
            var all = await store.ReadAuditAsync(CancellationToken.None);
            await AuditCheckpoints.AppendAsync(Path.Combine(dataDir, "audit-checkpoints.jsonl"),
                AuditCheckpoints.Create(all, DateTimeOffset.UnixEpoch.AddDays(30), System.Text.Encoding.UTF8.GetBytes(Key)), CancellationToken.None);
        }
        return dataDir;
    }

    [Fact]
    public async Task Verify_says_intact_then_detects_a_cut_tail_with_exit_code_1()
    {
        var dataDir = await KeyedStoreWithCheckpointAsync(5);

        var intact = await RunAsync(dataDir, "audit", "verify");
        Assert.True(intact.Exit == 0, intact.Output + intact.Error);
        Assert.Contains("Audit chain intact: 5 entries", intact.Output, StringComparison.Ordinal);

        using (var db = new LiteDatabase(new ConnectionString { Filename = Path.Combine(dataDir, "drbot.db"), Connection = ConnectionType.Direct }))
            db.GetCollection("audit").Delete(5);
        var cut = await RunAsync(dataDir, "audit", "verify");

        Assert.Equal(1, cut.Exit);
        Assert.Contains("tail was cut", cut.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_writes_json_lines_within_the_range()
    {
        var dataDir = await KeyedStoreWithCheckpointAsync(5);

        var export = await RunAsync(dataDir, "audit", "export", "--from", "2", "--to", "4");

        Assert.Equal(0, export.Exit);
        var lines = export.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([2L, 3L, 4L], lines.Select(l => JsonNode.Parse(l)!["sequence"]!.GetValue<long>()));
        Assert.All(lines, l => Assert.Equal(64, JsonNode.Parse(l)!["hash"]!.GetValue<string>().Length));
        Assert.Equal(2, (await RunAsync(dataDir, "audit", "export", "--since", "x")).Exit);
    }

    [Fact]
    public async Task The_chat_command_answers_privately_whether_the_chain_is_intact()
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { ["DrBot:Audit:Key"] = Key });
        var handler = bot.Get<IChatInputHandler>();
        var alice = new ChatUser("alice", "alice", bot.Get<Roster>().ByName("alice"));
        await handler.HandleAsync(new ChatInput("local", "local", null, alice, "incident open P3 Backups are late", null, null), CancellationToken.None);

        var reply = await handler.HandleAsync(new ChatInput("local", "local", null, alice, "audit verify", null, null), CancellationToken.None);

        Assert.True(reply.Private);
        Assert.False(reply.IsError, reply.Text);
        Assert.Contains("Audit chain intact", reply.Text, StringComparison.Ordinal);
        Assert.Contains("keyed with DrBot:Audit:Key", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_checkpoint_is_written_at_shutdown_to_the_checkpoint_file()
    {
        await using var bot = InProcessBot.Create(settings: new Dictionary<string, string?> { ["DrBot:Audit:Key"] = Key });
        var audit = bot.Get<AuditLog>();
        for (var i = 0; i < 3; i++)
            await audit.RecordAsync("bob", "approve", $"run-{i}", "ok", CancellationToken.None);
        var writer = bot.Get<DrBot.Bot.Audit.AuditCheckpointWriter>();

        await writer.StopAsync(CancellationToken.None);

        var checkpoint = await AuditCheckpoints.LatestAsync(writer.FilePath, CancellationToken.None);
        Assert.NotNull(checkpoint);
        Assert.Equal(3, checkpoint.Count);
        Assert.Null(AuditCheckpoints.Check(checkpoint, await audit.ReadAsync(CancellationToken.None), System.Text.Encoding.UTF8.GetBytes(Key)));
        Assert.True((await audit.VerifyAsync(CancellationToken.None, checkpoint)).Valid);
    }
}
