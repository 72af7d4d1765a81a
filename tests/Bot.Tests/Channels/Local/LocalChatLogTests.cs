using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels.Local;

namespace DrBot.Bot.Tests.Channels.Local;

/// <summary>The local channel's file: messages and in-place updates survive a restart, whatever the file went through.</summary>
public sealed class LocalChatLogTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-localchat-" + Guid.NewGuid().ToString("N"));

    private string LogFile => Path.Combine(_folder, "local-chat.json");

    [Fact]
    public void Messages_and_their_latest_card_survive_a_restart_in_channel_order()
    {
        using (var log = new LocalChatLog(LogFile))
        {
            log.Add("alice", At, "/failover west-us", null, null, null);
            var card = log.Add("DrBot", At, "region-failover", Card("pre-checks running"), null, null);
            log.Add("DrBot", At, "private hint", null, null, "alice");
            log.Replace(card.Id, "region-failover", Card("waiting for approval"), At.AddMinutes(1));
        }

        using var reopened = new LocalChatLog(LogFile);

        var messages = reopened.Snapshot();
        Assert.Equal(["m-1", "m-2", "m-3"], messages.Select(m => m.Id));
        Assert.Equal("waiting for approval", messages[1].Card!["status"]!.GetValue<string>());
        Assert.Equal("alice", messages[2].To);
        Assert.Equal("m-4", reopened.Add("bob", At, "approve", null, null, null).Id);
        Assert.NotNull(reopened.Find("m-2"));
    }

    [Fact]
    public void Pruning_removes_messages_last_changed_before_the_cutoff_from_the_file_and_numbering_goes_on()
    {
        using (var log = new LocalChatLog(LogFile))
        {
            log.Add("alice", At, "old command", null, null, null);
            var card = log.Add("DrBot", At, "run card", Card("v1"), null, null);
            log.Add("DrBot", At.AddDays(10), "recent notice", null, null, null);
            log.Replace(card.Id, "run card", Card("v2"), At.AddDays(9));
            log.Add("alice", At.AddDays(1), "newest, old", null, null, null);

            Assert.Equal(1, log.Prune(At.AddDays(8)));
            Assert.Equal(0, log.Prune(At.AddDays(8)));
        }

        using var reopened = new LocalChatLog(LogFile);
        Assert.Equal(["run card", "recent notice", "newest, old"], reopened.Snapshot().Select(m => m.Text));
        Assert.Null(reopened.Find("m-1"));
        Assert.Equal("m-5", reopened.Add("bob", At.AddDays(11), "after pruning", null, null, null).Id);
    }

    [Fact]
    public void A_last_line_cut_short_by_a_crash_loses_only_that_change_and_later_messages_are_kept()
    {
        using (var log = new LocalChatLog(LogFile))
        {
            log.Add("alice", At, "help", null, null, null);
            log.Add("DrBot", At, "card", Card("v1"), null, null);
        }
        File.AppendAllText(LogFile, "{\"id\":\"m-2\",\"author\":\"DrBot\",\"text\":\"card\",\"card\":{\"status\":\"v2");

        using (var log = new LocalChatLog(LogFile))
        {
            Assert.Equal("v1", log.Find("m-2")!.Card!["status"]!.GetValue<string>());
            log.Add("bob", At, "after the crash", null, null, null);
        }

        using var reopened = new LocalChatLog(LogFile);
        Assert.Equal(["help", "card", "after the crash"], reopened.Snapshot().Select(m => m.Text));
    }

    [Fact]
    public void A_file_in_the_earlier_single_array_format_is_read_and_then_appended_to()
    {
        Directory.CreateDirectory(_folder);
        var earlier = new[] { new LocalMessage("m-7", "alice", At, "help", null, null, false, null) };
        File.WriteAllText(LogFile, JsonSerializer.Serialize(earlier, JsonSerializerOptions.Web));

        using (var log = new LocalChatLog(LogFile))
            Assert.Equal("m-8", log.Add("bob", At, "runbooks", null, null, null).Id);

        using var reopened = new LocalChatLog(LogFile);
        Assert.Equal(["m-7", "m-8"], reopened.Snapshot().Select(m => m.Id));
    }

    [Fact]
    public void Many_updates_of_one_card_keep_the_file_compact()
    {
        using (var log = new LocalChatLog(LogFile))
        {
            var card = log.Add("DrBot", At, "card", Card("v0"), null, null);
            for (var i = 1; i <= 3000; i++)
                log.Replace(card.Id, "card", Card($"v{i}"), At.AddMinutes(1));
        }

        Assert.True(File.ReadAllLines(LogFile).Length <= 1001, "the file is rewritten once it holds far more lines than messages");
        using var reopened = new LocalChatLog(LogFile);
        Assert.Equal("v3000", Assert.Single(reopened.Snapshot()).Card!["status"]!.GetValue<string>());
    }

    private static JsonObject Card(string status) => new() { ["type"] = "AdaptiveCard", ["status"] = status };

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}
