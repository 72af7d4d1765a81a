using System.Text.Json.Nodes;
using DrBot.Bot.Cards;
using DrBot.Bot.Cards.BlockKit;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Cards.BlockKit;

public class BlockKitRendererTests
{
    private readonly BlockKitRenderer _renderer = new();

    private static readonly Person Bob = Person.Of("bob", "Bob", [Roles.Lead], "U0BOB", null);
    private static readonly Person Carol = Person.Of("carol", "Carol", [Roles.Lead], null, null);

    public static CardDocument ApprovalCard() => new(
        "Failover east-us → west-us",
        "Failover to west-us waits for a lead's approval",
        CardTone.Attention,
        Subtitle: "Run R-7 started by Alice",
        Blocks:
        [
            new TextBlock("Pre-failover checks **passed**."),
            new FactsBlock([new Fact("Region", "west-us"), new Fact("Lag", "4 s")]),
            new StepsBlock(
            [
                new StepLine("Check primary", StepLineStatus.Done, "3 s", null),
                new StepLine("Approve failover", StepLineStatus.Waiting, null, "needs a lead"),
            ]),
            new ContextBlock("Card version 3"),
        ],
        Inputs: [new CardInput("reason", "Reason", "Why (optional)")],
        Buttons:
        [
            new CardButton("Approve", "approve", new Dictionary<string, string> { ["runId"] = "R-7", ["stepId"] = "approve", ["version"] = "3" },
                ButtonStyle.Positive, new ButtonConfirm("Approve failover?", "This promotes west-us.", "Approve", "Cancel")),
            new CardButton("Reject", "reject", new Dictionary<string, string> { ["runId"] = "R-7", ["stepId"] = "approve", ["version"] = "3" },
                ButtonStyle.Destructive),
        ],
        Mentions: [Bob, Carol]);

    private JsonObject RenderJson(CardDocument card)
    {
        var message = _renderer.Render(card);
        var json = new JsonObject { ["text"] = message.Text, ["blocks"] = message.Blocks.DeepClone() };
        BlockKitShape.AssertValid(json);
        return json;
    }

    private static List<JsonObject> Blocks(JsonObject json, string type) =>
        json["blocks"]!.AsArray().OfType<JsonObject>().Where(b => (string?)b["type"] == type).ToList();

    [Fact]
    public void An_approval_card_renders_every_part_as_valid_block_kit()
    {
        var json = RenderJson(ApprovalCard());
        var header = Blocks(json, "header").Single();
        Assert.Equal(":rotating_light: Failover east-us → west-us", (string?)header["text"]!["text"]);

        var sections = Blocks(json, "section");
        Assert.Contains(sections, s => (string?)s["text"]?["text"] == "<@U0BOB> *Carol*");
        Assert.Contains(sections, s => (string?)s["text"]?["text"] == "Pre-failover checks *passed*.");
        var fields = sections.Single(s => s["fields"] is not null)["fields"]!.AsArray();
        Assert.Equal(["*Region*\nwest-us", "*Lag*\n4 s"], fields.Select(f => (string?)f!["text"]));
        Assert.Contains(sections, s => (string?)s["text"]?["text"] ==
            ":white_check_mark: *Check primary* · 3 s\n:double_vertical_bar: *Approve failover* — needs a lead");

        var contexts = Blocks(json, "context").SelectMany(c => c["elements"]!.AsArray()).Select(e => (string?)e!["text"]).ToList();
        Assert.Contains("Run R-7 started by Alice", contexts);
        Assert.Contains("Card version 3", contexts);

        var input = Blocks(json, "input").Single();
        Assert.Equal("reason", (string?)input["block_id"]);
        Assert.Equal("plain_text_input", (string?)input["element"]!["type"]);

        var buttons = Blocks(json, "actions").Single()["elements"]!.AsArray().OfType<JsonObject>().ToList();
        Assert.Equal("primary", (string?)buttons[0]["style"]);
        Assert.Equal("danger", (string?)buttons[1]["style"]);
        Assert.Equal("Approve failover?", (string?)buttons[0]["confirm"]!["title"]!["text"]);
        Assert.Equal("Cancel", (string?)buttons[0]["confirm"]!["deny"]!["text"]);
        Assert.Null(buttons[1]["confirm"]);
        Assert.NotEqual((string?)buttons[0]["action_id"], (string?)buttons[1]["action_id"]);
        Assert.Equal("""{"verb":"approve","runId":"R-7","stepId":"approve","version":"3"}""", (string?)buttons[0]["value"]);

        Assert.Equal("<@U0BOB> *Carol* Failover to west-us waits for a lead's approval", (string?)json["text"]);
    }

    [Fact]
    public void A_button_value_reads_back_as_verb_and_data()
    {
        var value = BlockKitButtons.Value("approve", new Dictionary<string, string> { ["runId"] = "R-7", ["verb"] = "ignored" });
        var (verb, data) = BlockKitButtons.Parse(value)!.Value;
        Assert.Equal("approve", verb);
        Assert.Equal(new Dictionary<string, string> { ["runId"] = "R-7" }, data);
        Assert.Null(BlockKitButtons.Parse("not json"));
        Assert.Null(BlockKitButtons.Parse("""{"runId":"R-7"}"""));
    }

    [Theory]
    [InlineData(StepLineStatus.Done, ":white_check_mark:")]
    [InlineData(StepLineStatus.Running, ":hourglass_flowing_sand:")]
    [InlineData(StepLineStatus.Waiting, ":double_vertical_bar:")]
    [InlineData(StepLineStatus.Failed, ":x:")]
    [InlineData(StepLineStatus.Skipped, ":black_right_pointing_double_triangle_with_vertical_bar:")]
    [InlineData(StepLineStatus.Rejected, ":no_entry:")]
    [InlineData(StepLineStatus.Compensated, ":leftwards_arrow_with_hook:")]
    [InlineData(StepLineStatus.Cancelled, ":heavy_multiplication_x:")]
    [InlineData(StepLineStatus.Pending, ":white_circle:")]
    public void Each_step_status_shows_its_emoji(StepLineStatus status, string emoji)
    {
        var json = RenderJson(new CardDocument("Run", "Run", Blocks: [new StepsBlock([new StepLine("Promote", status, null, null)])]));
        Assert.Equal($"{emoji} *Promote*", (string?)Blocks(json, "section").Single()["text"]!["text"]);
    }

    [Fact]
    public void A_long_title_is_cut_to_150_characters_with_an_ellipsis()
    {
        var json = RenderJson(new CardDocument(new string('T', 400), "fallback"));
        var text = (string)Blocks(json, "header").Single()["text"]!["text"]!;
        Assert.Equal(150, text.Length);
        Assert.EndsWith("…", text);
    }

    [Fact]
    public void Twenty_three_facts_become_sections_of_ten_ten_and_three_fields()
    {
        var facts = Enumerable.Range(1, 23).Select(i => new Fact($"F{i}", $"v{i}")).ToList();
        var json = RenderJson(new CardDocument("Facts", "Facts", Blocks: [new FactsBlock(facts)]));
        Assert.Equal([10, 10, 3], Blocks(json, "section").Select(s => s["fields"]!.AsArray().Count));
    }

    [Fact]
    public void Long_fact_values_and_paragraphs_are_cut_to_their_limits()
    {
        var json = RenderJson(new CardDocument("Long", "Long", Blocks:
        [
            new TextBlock(new string('p', 5000)),
            new FactsBlock([new Fact("Log", new string('v', 4000))]),
        ]));
        var sections = Blocks(json, "section");
        Assert.Equal(3000, ((string)sections[0]["text"]!["text"]!).Length);
        Assert.EndsWith("…", (string)sections[0]["text"]!["text"]!);
        Assert.Equal(2000, ((string)sections[1]["fields"]![0]!["text"]!).Length);
    }

    [Fact]
    public void Many_steps_are_split_over_sections_of_at_most_3000_characters()
    {
        var steps = Enumerable.Range(1, 120).Select(i => new StepLine($"Step number {i} with a fairly long title", StepLineStatus.Done, "12 s", "verified on the replica")).ToList();
        var json = RenderJson(new CardDocument("Steps", "Steps", Blocks: [new StepsBlock(steps)]));
        var texts = Blocks(json, "section").Select(s => (string)s["text"]!["text"]!).ToList();
        Assert.True(texts.Count > 1);
        Assert.Equal(120, texts.Sum(t => t.Split('\n').Length));
        Assert.All(texts, t => Assert.True(t.Length <= 3000));
    }

    [Fact]
    public void Twelve_context_lines_become_two_context_blocks()
    {
        var lines = Enumerable.Range(1, 12).Select(i => (CardBlock)new ContextBlock($"line {i}")).ToList();
        var json = RenderJson(new CardDocument("Context", "Context", Blocks: lines));
        Assert.Equal([10, 2], Blocks(json, "context").Select(c => c["elements"]!.AsArray().Count));
    }

    [Fact]
    public void Thirty_buttons_become_actions_blocks_of_25_and_5_with_unique_action_ids()
    {
        var buttons = Enumerable.Range(1, 30).Select(i => new CardButton($"B{i}", "ack", new Dictionary<string, string> { ["n"] = $"{i}" })).ToList();
        var json = RenderJson(new CardDocument("Buttons", "Buttons", Buttons: buttons));
        var actions = Blocks(json, "actions");
        Assert.Equal([25, 5], actions.Select(a => a["elements"]!.AsArray().Count));
        Assert.Equal(30, actions.SelectMany(a => a["elements"]!.AsArray()).Select(b => (string?)b!["action_id"]).Distinct().Count());
    }

    [Fact]
    public void Button_label_and_confirm_texts_are_cut_to_their_limits()
    {
        var button = new CardButton(new string('L', 100), "approve", new Dictionary<string, string>(), ButtonStyle.Positive,
            new ButtonConfirm(new string('t', 200), new string('x', 500), new string('c', 50), new string('d', 50)));
        var json = RenderJson(new CardDocument("B", "B", Buttons: [button]));
        var rendered = Blocks(json, "actions").Single()["elements"]![0]!;
        Assert.Equal(75, ((string)rendered["text"]!["text"]!).Length);
        Assert.Equal(300, ((string)rendered["confirm"]!["text"]!["text"]!).Length);
    }

    [Fact]
    public void A_button_value_never_exceeds_2000_characters_and_keeps_the_verb_and_the_entries_that_fit()
    {
        var data = new Dictionary<string, string> { ["runId"] = "R-7", ["huge"] = new string('h', 2500), ["version"] = "3" };
        var value = BlockKitButtons.Value("approve", data);
        Assert.True(value.Length <= 2000);
        var (verb, parsed) = BlockKitButtons.Parse(value)!.Value;
        Assert.Equal("approve", verb);
        Assert.Equal(new Dictionary<string, string> { ["runId"] = "R-7", ["version"] = "3" }, parsed);
    }

    [Fact]
    public void Eighty_paragraphs_fit_in_50_blocks_with_an_and_more_line_and_the_buttons_kept()
    {
        var paragraphs = Enumerable.Range(1, 80).Select(i => (CardBlock)new TextBlock($"paragraph {i}")).ToList();
        var card = new CardDocument("Many", "Many", Blocks: paragraphs,
            Buttons: [new CardButton("Ack", "ack", new Dictionary<string, string>())]);
        var json = RenderJson(card);
        var blocks = json["blocks"]!.AsArray();
        Assert.Equal(50, blocks.Count);
        Assert.Equal("actions", (string?)blocks[49]!["type"]);
        // header + 47 paragraphs + "…and 33 more" + actions
        Assert.Equal("…and 33 more", (string?)blocks[48]!["elements"]![0]!["text"]);
        Assert.Equal("paragraph 47", (string?)blocks[47]!["text"]!["text"]);
    }

    [Fact]
    public void Control_characters_are_escaped_and_bold_is_converted()
    {
        var json = RenderJson(new CardDocument("T", "a <b> & c", Blocks: [new TextBlock("<!channel> & **now**")]));
        Assert.Equal("&lt;!channel&gt; &amp; *now*", (string?)Blocks(json, "section").Single()["text"]!["text"]);
        Assert.Equal("a &lt;b&gt; &amp; c", (string?)json["text"]);
    }

    [Fact]
    public void The_fallback_text_is_always_set()
    {
        var json = RenderJson(new CardDocument("Only a title", ""));
        Assert.Equal("Only a title", (string?)json["text"]);
    }

    [Fact]
    public void Subtle_text_goes_into_small_print()
    {
        var json = RenderJson(new CardDocument("T", "T", Blocks: [new TextBlock("fine print", Subtle: true)]));
        Assert.Equal("fine print", (string?)Blocks(json, "context").Single()["elements"]![0]!["text"]);
    }

    [Fact]
    public void The_shape_rules_catch_a_broken_message()
    {
        var blocks = new JsonArray();
        for (var i = 0; i < 51; i++)
        {
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "x" } });
        }
        blocks.Add(new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = "x" } });
        var problems = BlockKitShape.Problems(new JsonObject { ["blocks"] = blocks });
        Assert.Contains(problems, p => p.Contains("max 50", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("fallback", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("blocks[51].text.type", StringComparison.Ordinal));
    }
}
