using System.Text.Json.Nodes;
using DrBot.Bot.Cards.AdaptiveCards;
using DrBot.Bot.Tests.Support;
using NJsonSchema;

namespace DrBot.Bot.Tests.Cards;

public class AdaptiveCardSchemaTests
{
    private static readonly Lazy<Task<JsonSchema>> Schema = new(() => JsonSchema.FromFileAsync(RepoPaths.Schema("adaptive-card-1.5.schema.json")));
    private readonly AdaptiveCardRenderer _renderer = new();

    [Theory]
    [MemberData(nameof(SampleCards.Names), MemberType = typeof(SampleCards))]
    public async Task Every_sample_card_validates_against_the_official_1_5_schema(string name)
    {
        var card = _renderer.Render(SampleCards.All[name]);

        var errors = (await Schema.Value).Validate(WithoutTeamsExtension(card).ToJsonString());

        Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}"))}");
    }

    [Theory]
    [MemberData(nameof(SampleCards.Names), MemberType = typeof(SampleCards))]
    public void Every_sample_card_stays_under_28_KB(string name)
    {
        var size = AdaptiveCardRenderer.SizeInBytes(_renderer.Render(SampleCards.All[name]));

        Assert.InRange(size, 1, 28 * 1024);
    }

    [Fact]
    public async Task The_schema_check_itself_refuses_an_invalid_card()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());
        card["body"]!.AsArray().Add(new JsonObject { ["type"] = "Blink", ["text"] = "not an element" });

        var errors = (await Schema.Value).Validate(WithoutTeamsExtension(card).ToJsonString());

        Assert.NotEmpty(errors);
    }

    /// <summary>
    /// <c>msteams</c> is Teams' documented host extension for mentions; the 1.5 schema forbids extra
    /// properties, so it is checked separately and removed here. Nothing else may be removed.
    /// </summary>
    private static JsonObject WithoutTeamsExtension(JsonObject card)
    {
        var copy = card.DeepClone().AsObject();
        copy.Remove("msteams");
        return copy;
    }
}
