using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.AdaptiveCards;

namespace DrBot.Bot.Tests.Cards;

public class AdaptiveCardRendererTests
{
    private readonly AdaptiveCardRenderer _renderer = new();

    [Fact]
    public void A_card_declares_the_1_5_schema_and_a_bold_wrapped_title()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());

        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.Equal("1.5", (string?)card["version"]);
        Assert.NotNull((string?)card["$schema"]);
        var title = Header(card)["items"]![0]!;
        Assert.Equal("Region failover east-us → west-us", (string?)title["text"]);
        Assert.Equal("Bolder", (string?)title["weight"]);
        Assert.True((bool?)title["wrap"]);
    }

    [Theory]
    [InlineData(CardTone.Default, "default")]
    [InlineData(CardTone.Good, "good")]
    [InlineData(CardTone.Warning, "warning")]
    [InlineData(CardTone.Attention, "attention")]
    [InlineData(CardTone.Accent, "accent")]
    public void The_tone_becomes_the_header_container_style(CardTone tone, string style)
    {
        var card = _renderer.Render(new CardDocument("t", "t", tone));

        Assert.Equal(style, (string?)Header(card)["style"]);
    }

    [Fact]
    public void Facts_become_a_fact_set_in_order()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());

        var facts = Elements(card, "FactSet").Single()["facts"]!.AsArray();
        Assert.Equal(["Primary", "Replication lag", "RTO target"], facts.Select(f => (string?)f!["title"]));
        Assert.Equal("4 s", (string?)facts[1]!["value"]);
    }

    [Theory]
    [InlineData(StepLineStatus.Done, "✅")]
    [InlineData(StepLineStatus.Running, "⏳")]
    [InlineData(StepLineStatus.Waiting, "⏸")]
    [InlineData(StepLineStatus.Failed, "❌")]
    [InlineData(StepLineStatus.Skipped, "⏭")]
    [InlineData(StepLineStatus.Rejected, "⛔")]
    [InlineData(StepLineStatus.Compensated, "↩")]
    [InlineData(StepLineStatus.Pending, "•")]
    public void A_step_row_shows_its_status_icon_title_detail_and_elapsed_time(StepLineStatus status, string icon)
    {
        var card = _renderer.Render(new CardDocument("r", "r", Blocks: [new StepsBlock([new StepLine("Promote database", status, "01:23", "replica promoted")])]));

        var texts = Texts(Elements(card, "ColumnSet").Single());
        Assert.Equal([icon, "Promote database", "replica promoted", "01:23"], texts);
        var elapsed = Elements(card, "TextBlock").Single(t => (string?)t["text"] == "01:23");
        Assert.Equal("Monospace", (string?)elapsed["fontType"]);
    }

    [Fact]
    public void Context_is_small_subtle_text()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());

        var context = Elements(card, "TextBlock").Single(t => ((string?)t["text"])!.StartsWith("Card version", StringComparison.Ordinal));
        Assert.Equal("Small", (string?)context["size"]);
        Assert.True((bool?)context["isSubtle"]);
    }

    [Fact]
    public void Inputs_become_text_inputs_with_id_label_placeholder_and_multiline()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());

        var input = Elements(card, "Input.Text").Single();
        Assert.Equal("reason", (string?)input["id"]);
        Assert.Equal("Reason (optional)", (string?)input["label"]);
        Assert.Equal("Why approve or reject?", (string?)input["placeholder"]);
        Assert.True((bool?)input["isMultiline"]);
    }

    [Fact]
    public void Buttons_are_execute_actions_with_verb_data_style_and_a_submit_fallback_carrying_the_verb()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());

        var actions = card["actions"]!.AsArray();
        Assert.Equal(2, actions.Count);
        var approve = actions[0]!;
        Assert.Equal("Action.Execute", (string?)approve["type"]);
        Assert.Equal("approve", (string?)approve["verb"]);
        Assert.Equal("positive", (string?)approve["style"]);
        Assert.Equal("run-42", (string?)approve["data"]!["runId"]);
        Assert.Equal("7", (string?)approve["data"]!["version"]);
        var fallback = approve["fallback"]!;
        Assert.Equal("Action.Submit", (string?)fallback["type"]);
        Assert.Equal("Approve", (string?)fallback["title"]);
        Assert.Equal("approve", (string?)fallback["data"]!["verb"]);
        Assert.Equal("approve-failover", (string?)fallback["data"]!["stepId"]);
        Assert.Equal("destructive", (string?)actions[1]!["style"]);
    }

    [Fact]
    public void A_default_button_has_no_style_and_a_confirmation_is_shown_as_text()
    {
        var card = _renderer.Render(SampleCards.All["buttons of each style"]);

        Assert.Null(card["actions"]![1]!["style"]);
        Assert.Contains(Elements(card, "TextBlock"), t => ((string?)t["text"])!.Contains("Rolls back every step done so far.", StringComparison.Ordinal));
    }

    [Fact]
    public void Mentions_tag_teams_users_with_entities_and_name_the_others()
    {
        var card = _renderer.Render(SampleCards.All["mentions"]);

        var line = Elements(card, "TextBlock").Select(t => (string?)t["text"]).Single(t => t!.Contains("<at>", StringComparison.Ordinal));
        Assert.Equal("<at>Alice</at>, <at>Bob</at>, **@Carol**", line);
        var entities = card["msteams"]!["entities"]!.AsArray();
        Assert.Equal(2, entities.Count);
        Assert.Equal("mention", (string?)entities[1]!["type"]);
        Assert.Equal("<at>Bob</at>", (string?)entities[1]!["text"]);
        Assert.Equal(SampleCards.Bob.TeamsAadObjectId, (string?)entities[1]!["mentioned"]!["id"]);
        Assert.Equal("Bob", (string?)entities[1]!["mentioned"]!["name"]);
    }

    [Fact]
    public void A_card_mentioning_nobody_on_teams_has_no_teams_extension()
    {
        var card = _renderer.Render(SampleCards.All["mentions without teams ids"]);

        Assert.Null(card["msteams"]);
    }

    [Fact]
    public void Refresh_lists_at_most_60_teams_ids_and_carries_the_verb()
    {
        var card = _renderer.Render(SampleCards.All["refresh for many approvers"]);

        var refresh = card["refresh"]!;
        Assert.Equal("Action.Execute", (string?)refresh["action"]!["type"]);
        Assert.Equal("refresh", (string?)refresh["action"]!["verb"]);
        Assert.Equal("run-42", (string?)refresh["action"]!["data"]!["runId"]);
        var ids = refresh["userIds"]!.AsArray().Select(id => (string?)id).ToList();
        Assert.Equal(60, ids.Count);
        Assert.All(ids, id => Assert.StartsWith("aad-", id, StringComparison.Ordinal));
    }

    [Fact]
    public void Refresh_is_left_out_when_no_user_has_a_teams_id()
    {
        var card = _renderer.Render(new CardDocument("t", "t", Refresh: new CardRefresh("refresh", SampleCards.GateData, [SampleCards.Carol])));

        Assert.Null(card["refresh"]);
    }

    [Fact]
    public void A_long_step_list_is_windowed_around_the_running_step_with_more_lines()
    {
        var card = _renderer.Render(SampleCards.All["very long content"]);

        var texts = Elements(card, "TextBlock").Select(t => (string?)t["text"]).ToList();
        Assert.Contains(texts, t => t!.StartsWith("…and ", StringComparison.Ordinal) && t.EndsWith("earlier steps", StringComparison.Ordinal));
        Assert.Contains(texts, t => t!.StartsWith("…and ", StringComparison.Ordinal) && t.EndsWith(" more steps", StringComparison.Ordinal));
        Assert.Contains("⏳", texts);
        Assert.Contains(texts, t => t!.Contains("more characters)", StringComparison.Ordinal));
        Assert.InRange(AdaptiveCardRenderer.SizeInBytes(card), 1, AdaptiveCardRenderer.MaxCardBytes);
    }

    [Fact]
    public void An_ordinary_card_is_not_shortened()
    {
        var card = _renderer.Render(SampleCards.RunbookWithGate());

        Assert.DoesNotContain(Elements(card, "TextBlock"), t => ((string?)t["text"])!.Contains('…'));
        Assert.Equal(4, Elements(card, "ColumnSet").Count());
    }

    [Fact]
    public void More_than_five_buttons_keep_the_first_five_and_say_so()
    {
        var card = _renderer.Render(SampleCards.All["too many buttons"]);

        Assert.Equal(5, card["actions"]!.AsArray().Count);
        Assert.Contains(Elements(card, "TextBlock"), t => ((string?)t["text"])!.StartsWith("…and 2 more actions", StringComparison.Ordinal));
    }

    private static JsonObject Header(JsonObject card) => card["body"]![0]!.AsObject();

    /// <summary>Every element of the card body, depth first, including those nested in containers and columns.</summary>
    private static IEnumerable<JsonObject> Elements(JsonObject card, string type) =>
        Descendants(card["body"]!).Where(e => (string?)e["type"] == type);

    private static List<string?> Texts(JsonNode node) =>
        [.. Descendants(node).Where(e => (string?)e["type"] == "TextBlock").Select(t => (string?)t["text"])];

    private static IEnumerable<JsonObject> Descendants(JsonNode node)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array.SelectMany(item => Descendants(item!)))
                {
                    yield return item;
                }

                break;
            case JsonObject obj:
                yield return obj;
                foreach (var key in new[] { "items", "columns" })
                {
                    if (obj[key] is JsonArray children)
                    {
                        foreach (var child in Descendants(children))
                        {
                            yield return child;
                        }
                    }
                }

                break;
        }
    }
}
