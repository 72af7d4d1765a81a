using DrBot.Bot.Cards;
using DrBot.Bot.Runs;

namespace DrBot.Bot.Tests.Runs;

public sealed class RunbookNoticeTests
{
    private const string Timeline = "Timeline of region-failover run-1 (east-us → west-us), started by alice at 10:00:00\n" +
        "Elapsed 00:04:10; measured RPO 2 s\n10:01:00 Promote the database: Succeeded replica promoted";

    [Fact]
    public void A_timeline_notice_is_titled_by_its_audience_and_says_its_text_once()
    {
        var card = ChannelRunbookNotifier.Notice("run-1", "timeline", Timeline);

        Assert.Equal("📢 Timeline", card.Title);
        Assert.DoesNotContain("Elapsed", card.Title);
        Assert.Equal(Timeline, Assert.IsType<TextBlock>(card.Blocks![0]).Text);
        Assert.Equal("Timeline: Timeline of region-failover run-1 (east-us → west-us), started by alice at 10:00:00", card.FallbackText);
    }

    [Fact]
    public void A_hyphenated_audience_reads_as_words()
    {
        Assert.Equal("📢 Status page", ChannelRunbookNotifier.Notice("run-2", "status-page", "Degraded").Title);
    }
}
