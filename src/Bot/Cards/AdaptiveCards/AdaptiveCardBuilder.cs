using System.Text.Json.Nodes;
using DrBot.Runbooks.People;
using static DrBot.Bot.Cards.AdaptiveCards.AdaptiveElements;

namespace DrBot.Bot.Cards.AdaptiveCards;

/// <summary>Builds one Adaptive Card from a <see cref="CardDocument"/> within the given limits.</summary>
internal sealed class AdaptiveCardBuilder(RenderLimits limits, int maxBlocks)
{
    public const string SchemaUrl = "http://adaptivecards.io/schemas/adaptive-card.json";

    public JsonObject Build(CardDocument card)
    {
        var body = new JsonArray { Header(card) };

        var mentions = MentionLine(card.MentionedPeople);
        if (mentions is not null)
        {
            body.Add(mentions.Value.Line);
        }

        AddBlocks(body, card.Body);

        foreach (var input in card.InputFields)
        {
            body.Add(TextInput(input));
        }

        var actions = AddButtons(body, card.Actions);

        var json = new JsonObject
        {
            ["$schema"] = SchemaUrl,
            ["type"] = "AdaptiveCard",
            ["version"] = "1.5",
            ["fallbackText"] = RenderLimits.Shorten(card.FallbackText, limits.MaxTextChars),
            ["body"] = body,
        };
        if (actions.Count > 0)
        {
            json["actions"] = actions;
        }

        var refresh = Refresh(card.Refresh);
        if (refresh is not null)
        {
            json["refresh"] = refresh;
        }

        if (mentions is { Entities.Count: > 0 })
        {
            // Teams' host extension: without these entities "<at>Name</at>" does not notify anyone.
            json["msteams"] = new JsonObject { ["entities"] = mentions.Value.Entities };
        }

        return json;
    }

    private JsonObject Header(CardDocument card)
    {
        var title = Text(RenderLimits.Shorten(card.Title, limits.MaxTitleChars), size: "Medium", weight: "Bolder");
        var style = ContainerStyleOf(card.Tone);
        if (card.Subtitle is null)
        {
            return Container(style, title);
        }

        var subtitle = Text(RenderLimits.Shorten(card.Subtitle, limits.MaxTitleChars), subtle: true);
        subtitle["spacing"] = "None";
        return Container(style, title, subtitle);
    }

    private void AddBlocks(JsonArray body, IReadOnlyList<CardBlock> blocks)
    {
        var shown = Math.Min(blocks.Count, maxBlocks);
        for (var i = 0; i < shown; i++)
        {
            foreach (var element in Render(blocks[i]))
            {
                body.Add(element);
            }
        }

        if (blocks.Count > shown)
        {
            body.Add(Text(RenderLimits.MoreLine(blocks.Count - shown, "sections not shown (card size limit)"), subtle: true));
        }
    }

    private IEnumerable<JsonObject> Render(CardBlock block) => block switch
    {
        TextBlock text => [Text(RenderLimits.Shorten(text.Text, limits.MaxTextChars), subtle: text.Subtle)],
        ContextBlock context => [Text(RenderLimits.Shorten(context.Text, limits.MaxTextChars), subtle: true, size: "Small")],
        FactsBlock facts => Facts(facts.Facts),
        StepsBlock steps => Steps(steps.Steps),
        // A block type added to the contract later still shows up rather than failing the post.
        _ => [Text(block.ToString() ?? block.GetType().Name)],
    };

    private IEnumerable<JsonObject> Facts(IReadOnlyList<Fact> facts)
    {
        if (facts.Count == 0)
        {
            yield break;
        }

        yield return FactSet(facts.Take(limits.MaxFacts).Select(fact => (
            RenderLimits.Shorten(fact.Name, limits.MaxTitleChars),
            RenderLimits.Shorten(fact.Value, limits.MaxFactValueChars))));
        if (facts.Count > limits.MaxFacts)
        {
            yield return Text(RenderLimits.MoreLine(facts.Count - limits.MaxFacts, "facts"), subtle: true, size: "Small");
        }
    }

    /// <summary>
    /// One row per step. A long list is windowed around the first unfinished step, because that is
    /// what people watch during a failover; the rest become "…and N more" lines.
    /// </summary>
    private IEnumerable<JsonObject> Steps(IReadOnlyList<StepLine> steps)
    {
        if (steps.Count == 0)
        {
            yield break;
        }

        var focus = 0;
        while (focus < steps.Count && StepStatusIcons.IsSettled(steps[focus].Status))
        {
            focus++;
        }

        var start = Math.Clamp(focus - 2, 0, Math.Max(0, steps.Count - limits.MaxSteps));
        var end = Math.Min(steps.Count, start + limits.MaxSteps);
        if (start > 0)
        {
            yield return Text(RenderLimits.MoreLine(start, "earlier steps"), subtle: true, size: "Small");
        }

        for (var i = start; i < end; i++)
        {
            yield return StepRow(steps[i]);
        }

        if (end < steps.Count)
        {
            yield return Text(RenderLimits.MoreLine(steps.Count - end, "steps"), subtle: true, size: "Small");
        }
    }

    private JsonObject StepRow(StepLine step)
    {
        var what = new List<JsonNode> { Text(RenderLimits.Shorten(step.Title, limits.MaxTitleChars)) };
        if (!string.IsNullOrWhiteSpace(step.Detail))
        {
            var detail = Text(RenderLimits.Shorten(step.Detail, limits.MaxStepDetailChars), subtle: true, size: "Small");
            detail["spacing"] = "None";
            what.Add(detail);
        }

        var elapsed = Text(step.Elapsed ?? "", subtle: true);
        elapsed["fontType"] = "Monospace";
        return ColumnSet(
            Column("auto", Text(StepStatusIcons.For(step.Status))),
            Column("stretch", [.. what]),
            Column("auto", elapsed));
    }

    /// <summary>Adds confirmation notes to the body (Adaptive Cards have no confirm dialog) and returns the action bar.</summary>
    private static JsonArray AddButtons(JsonArray body, IReadOnlyList<CardButton> buttons)
    {
        var shown = buttons.Take(AdaptiveCardRenderer.MaxActions).ToList();
        foreach (var button in shown.Where(button => button.Confirm is not null))
        {
            body.Add(Text($"⚠ **{button.Confirm!.Title}**: {button.Confirm.Text}", subtle: true, size: "Small"));
        }

        if (buttons.Count > shown.Count)
        {
            body.Add(Text(RenderLimits.MoreLine(buttons.Count - shown.Count, "actions not shown; type `help` for the commands"), subtle: true, size: "Small"));
        }

        return new JsonArray([.. shown.Select(button => (JsonNode)ExecuteAction(button))]);
    }

    private (JsonObject Line, JsonArray Entities)? MentionLine(IReadOnlyList<Person> people)
    {
        if (people.Count == 0)
        {
            return null;
        }

        var parts = new List<string>();
        var entities = new JsonArray();
        foreach (var person in people.Take(limits.MaxMentions))
        {
            if (string.IsNullOrWhiteSpace(person.TeamsAadObjectId))
            {
                // A mention entity with an id Teams does not know fails the whole post; name them instead.
                parts.Add($"**@{person.DisplayName}**");
                continue;
            }

            var tag = $"<at>{person.DisplayName}</at>";
            parts.Add(tag);
            entities.Add(new JsonObject
            {
                ["type"] = "mention",
                ["text"] = tag,
                ["mentioned"] = new JsonObject { ["id"] = person.TeamsAadObjectId, ["name"] = person.DisplayName },
            });
        }

        if (people.Count > limits.MaxMentions)
        {
            parts.Add(RenderLimits.MoreLine(people.Count - limits.MaxMentions, "people"));
        }

        return (Text(string.Join(", ", parts)), entities);
    }

    private static JsonObject? Refresh(CardRefresh? refresh)
    {
        var userIds = refresh?.Users
            .Select(person => person.TeamsAadObjectId)
            .Where(id => !string.IsNullOrWhiteSpace(id))
            .Distinct(StringComparer.Ordinal)
            .Take(AdaptiveCardRenderer.MaxRefreshUsers)
            .ToList();
        if (refresh is null || userIds is null || userIds.Count == 0)
        {
            return null;
        }

        return new JsonObject
        {
            ["action"] = new JsonObject
            {
                ["type"] = "Action.Execute",
                ["verb"] = refresh.Verb,
                ["data"] = ActionData(refresh.Verb, refresh.Data),
            },
            ["userIds"] = new JsonArray([.. userIds.Select(id => (JsonNode)id!)]),
        };
    }
}
