using System.Text.Json.Nodes;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Tests.Cards;

namespace DrBot.Bot.Tests.CardValidation;

public class AdaptiveCardsLibraryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Every_sample_card_parses_with_the_official_adaptivecards_library_without_any_issue()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var renderer = new AdaptiveCardRenderer();
        var cards = SampleCards.All.ToDictionary(c => c.Key, c => renderer.Render(c.Value));

        var report = await NodeCardValidator.ValidateAsync(cards, timeout.Token);

        Assert.Equal(cards.Keys.Order(), report.Keys.Order());
        var problems = report.Where(r => r.Value.Count > 0).Select(r => $"{r.Key}: {string.Join(" | ", r.Value)}").ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task The_library_check_itself_reports_a_broken_card()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var broken = new AdaptiveCardRenderer().Render(SampleCards.RunbookWithGate());
        broken["body"]!.AsArray().Add(new JsonObject { ["type"] = "Input.Text", ["id"] = "reason" });
        broken["actions"]![0]!["style"] = "shouty";

        var report = await NodeCardValidator.ValidateAsync(new Dictionary<string, JsonObject> { ["broken"] = broken }, timeout.Token);

        Assert.Contains(report["broken"], issue => issue.Contains("DuplicateId", StringComparison.Ordinal));
        Assert.Contains(report["broken"], issue => issue.Contains("shouty", StringComparison.Ordinal));
    }
}
