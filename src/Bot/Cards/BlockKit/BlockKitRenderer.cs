using System.Text.Json.Nodes;
using DrBot.Runbooks.People;
using static DrBot.Bot.Cards.BlockKit.BlockKitLimits;

namespace DrBot.Bot.Cards.BlockKit;

/// <summary>
/// Renders a <see cref="CardDocument"/> as a Slack Block Kit message with the same content as the
/// Adaptive Card: header, mentions, paragraphs, facts, steps, small print, inputs and buttons. Every
/// Slack limit is respected by cutting text with "…" and, when the blocks do not fit, dropping the
/// tail of the body behind a last "…and N more" line; inputs and buttons are always kept.
/// </summary>
public sealed class BlockKitRenderer : IBlockKitRenderer
{
    public BlockKitMessage Render(CardDocument card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var head = RenderHead(card);
        var body = RenderBody(card.Body);
        var tail = new List<JsonObject>();
        tail.AddRange(card.InputFields.Where(i => !i.AskedInDialog).Select(RenderInput));
        tail.AddRange(BlockKitButtons.Render(card.Actions));

        var blocks = new JsonArray();
        foreach (var block in head)
        {
            blocks.Add(block);
        }
        foreach (var block in FitBody(body, Math.Max(1, MaxBlocks - head.Count - tail.Count)))
        {
            blocks.Add(block);
        }
        foreach (var block in tail.Take(MaxBlocks - blocks.Count))
        {
            blocks.Add(block);
        }
        return new BlockKitMessage(FallbackText(card), blocks);
    }

    /// <summary>The notification text: the card's fallback plus its mentions, so mentioned people get notified.</summary>
    private static string FallbackText(CardDocument card)
    {
        var text = string.IsNullOrWhiteSpace(card.FallbackText) ? card.Title : card.FallbackText;
        if (string.IsNullOrWhiteSpace(text))
        {
            text = "DrBot";
        }
        var escaped = SlackMrkdwn.Escape(text);
        if (card.MentionedPeople.Count > 0)
        {
            escaped = $"{MentionLine(card.MentionedPeople)} {escaped}";
        }
        return SlackMrkdwn.TruncateEscaped(escaped, BlockKitLimits.FallbackText);
    }

    private static string MentionLine(IEnumerable<Person> people) => string.Join(' ', people.Select(SlackMrkdwn.Mention));

    private static List<JsonObject> RenderHead(CardDocument card)
    {
        var head = new List<JsonObject>();
        var title = string.IsNullOrWhiteSpace(card.Title) ? "DrBot" : card.Title;
        head.Add(new JsonObject
        {
            ["type"] = "header",
            ["text"] = PlainText(Truncate(ToneEmoji(card.Tone) + title, HeaderText)),
        });
        if (!string.IsNullOrWhiteSpace(card.Subtitle))
        {
            head.Add(Context([SlackMrkdwn.FromCardText(card.Subtitle, ContextText)]));
        }
        if (card.MentionedPeople.Count > 0)
        {
            head.Add(Section(SlackMrkdwn.TruncateEscaped(MentionLine(card.MentionedPeople), SectionText)));
        }
        return head;
    }

    /// <summary>Slack blocks have no colour: the tone shows as an emoji in front of the title.</summary>
    private static string ToneEmoji(CardTone tone) => tone switch
    {
        CardTone.Good => ":white_check_mark: ",
        CardTone.Warning => ":warning: ",
        CardTone.Attention => ":rotating_light: ",
        CardTone.Accent => ":large_blue_circle: ",
        _ => "",
    };

    private static List<RenderedBlock> RenderBody(IReadOnlyList<CardBlock> cardBlocks)
    {
        var rendered = new List<RenderedBlock>();
        var pendingContext = new List<string>();

        void FlushContext()
        {
            foreach (var group in pendingContext.Chunk(ContextElements))
            {
                rendered.Add(new RenderedBlock(Context(group), group.Length));
            }
            pendingContext.Clear();
        }

        foreach (var cardBlock in cardBlocks)
        {
            switch (cardBlock)
            {
                case ContextBlock context:
                    pendingContext.Add(SlackMrkdwn.FromCardText(context.Text, ContextText));
                    continue;
                case TextBlock { Subtle: true } subtle:
                    pendingContext.Add(SlackMrkdwn.FromCardText(subtle.Text, ContextText));
                    continue;
            }
            FlushContext();
            switch (cardBlock)
            {
                case TextBlock text:
                    rendered.Add(new RenderedBlock(Section(SlackMrkdwn.FromCardText(text.Text, SectionText)), 1));
                    break;
                case FactsBlock facts:
                    foreach (var group in facts.Facts.Chunk(SectionFields))
                    {
                        rendered.Add(new RenderedBlock(Fields(group), group.Length));
                    }
                    break;
                case StepsBlock steps:
                    rendered.AddRange(BlockKitSteps.Render(steps));
                    break;
            }
        }
        FlushContext();
        return rendered;
    }

    /// <summary>Keeps the body within <paramref name="room"/> blocks; what is dropped is counted on a last line.</summary>
    private static IEnumerable<JsonObject> FitBody(List<RenderedBlock> body, int room)
    {
        if (body.Count <= room)
        {
            return body.Select(b => b.Block);
        }
        var kept = body.Take(room - 1).ToList();
        var dropped = body.Skip(room - 1).Sum(b => b.Items);
        return kept.Select(b => b.Block).Append(Context([$"…and {dropped} more"]));
    }

    private static JsonObject RenderInput(CardInput input) => new()
    {
        ["type"] = "input",
        ["block_id"] = Truncate(input.Id, BlockId),
        ["optional"] = true,
        ["label"] = PlainText(Truncate(string.IsNullOrWhiteSpace(input.Label) ? input.Id : input.Label, InputLabel)),
        ["element"] = PlainTextInput(input),
    };

    private static JsonObject PlainTextInput(CardInput input)
    {
        var element = new JsonObject
        {
            ["type"] = "plain_text_input",
            ["action_id"] = Truncate(input.Id, ActionId),
            ["multiline"] = input.Multiline,
        };
        if (!string.IsNullOrWhiteSpace(input.Placeholder))
        {
            element["placeholder"] = PlainText(Truncate(input.Placeholder, Placeholder));
        }
        return element;
    }

    private static JsonObject Fields(IEnumerable<Fact> facts)
    {
        var fields = new JsonArray();
        foreach (var fact in facts)
        {
            var text = $"*{SlackMrkdwn.Escape(fact.Name)}*\n{SlackMrkdwn.FromCardText(fact.Value, FieldText)}";
            fields.Add(Mrkdwn(SlackMrkdwn.TruncateEscaped(text, FieldText)));
        }
        return new JsonObject { ["type"] = "section", ["fields"] = fields };
    }

    internal static JsonObject Section(string mrkdwn) => new() { ["type"] = "section", ["text"] = Mrkdwn(mrkdwn) };

    internal static JsonObject Context(IEnumerable<string> mrkdwnElements)
    {
        var elements = new JsonArray();
        foreach (var text in mrkdwnElements)
        {
            elements.Add(Mrkdwn(text));
        }
        return new JsonObject { ["type"] = "context", ["elements"] = elements };
    }

    internal static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    internal static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };
}

/// <summary>A rendered body block and how many card items (facts, steps, lines) it shows.</summary>
internal sealed record RenderedBlock(JsonObject Block, int Items);
