using DrBot.Bot.Cards;
using DrBot.Bot.Views;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Views;

/// <summary>A summary is posted after every failover of an incident: it shows the newest timeline entries and counts the rest.</summary>
public sealed class IncidentSummaryCardTests
{
    private static readonly DateTimeOffset Opened = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    private static string TimelineText(int entries)
    {
        var incident = new Incident { Id = "INC-0001", Title = "west-us down", Severity = "P1", OpenedAt = Opened };
        incident.Timeline.AddRange(Enumerable.Range(1, entries).Select(i => new TimelineEvent(Opened.AddMinutes(i), "note", $"entry {i}", null)));
        return IncidentCards.Summary(incident, new DrBotOptions()).Body.OfType<TextBlock>().Single(b => b.Text.StartsWith("Timeline:", StringComparison.Ordinal)).Text;
    }

    [Fact]
    public void A_long_timeline_shows_its_newest_entries_and_how_many_earlier_ones_are_left_out()
    {
        var text = TimelineText(IncidentCards.SummaryTimelineEntries + 575);

        var lines = text.Split('\n');
        Assert.Equal(IncidentCards.SummaryTimelineEntries + 2, lines.Length);
        Assert.StartsWith("… 575 earlier entries", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("entry 576", lines[2], StringComparison.Ordinal);
        Assert.EndsWith($"entry {IncidentCards.SummaryTimelineEntries + 575}", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_timeline_is_shown_whole()
    {
        var lines = TimelineText(3).Split('\n');

        Assert.Equal(["Timeline:", "• 03:01:00 UTC entry 1", "• 03:02:00 UTC entry 2", "• 03:03:00 UTC entry 3"], lines);
    }
}
