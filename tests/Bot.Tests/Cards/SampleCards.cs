using DrBot.Bot.Cards;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.Tests.Cards;

/// <summary>
/// A representative set of card documents: every block type, every tone, inputs, each button
/// style, mentions, refresh and runaway content. Every test that checks rendered cards uses all of them.
/// </summary>
public static class SampleCards
{
    public static readonly Person Alice = Person.Of("alice", "Alice", [Roles.OnCall], "U0ALICE", "00000000-0000-0000-0000-00000000a11c");
    public static readonly Person Bob = Person.Of("bob", "Bob", [Roles.Lead], "U0BOB", "00000000-0000-0000-0000-000000000b0b");
    public static readonly Person Carol = Person.Of("carol", "Carol", [Roles.Lead], null, null);

    public static readonly IReadOnlyDictionary<string, string> GateData = new Dictionary<string, string>
    {
        ["runId"] = "run-42",
        ["stepId"] = "approve-failover",
        ["version"] = "7",
    };

    public static IReadOnlyDictionary<string, CardDocument> All { get; } = Build();

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            names.Add(name);
        }

        return names;
    }

    public static CardDocument RunbookWithGate() => new(
        "Region failover east-us → west-us",
        "Region failover waiting for approval",
        CardTone.Warning,
        "Started by Alice · run-42",
        [
            new FactsBlock([new Fact("Primary", "east-us (down)"), new Fact("Replication lag", "4 s"), new Fact("RTO target", "15 min")]),
            new StepsBlock(
            [
                new StepLine("Check primary is down", StepLineStatus.Done, "00:04", "3/3 probes failed"),
                new StepLine("Check secondary healthy", StepLineStatus.Done, "00:02", null),
                new StepLine("Approve failover", StepLineStatus.Waiting, null, "needs a lead"),
                new StepLine("Promote database", StepLineStatus.Pending, null, null),
            ]),
            new ContextBlock("Card version 7 · updated 12:03 UTC"),
        ],
        [new CardInput("reason", "Reason (optional)", "Why approve or reject?", Multiline: true)],
        [
            new CardButton("Approve", "approve", GateData, ButtonStyle.Positive),
            new CardButton("Reject", "reject", GateData, ButtonStyle.Destructive, new ButtonConfirm("Reject failover", "The run stops and nothing changes.", "Reject", "Cancel")),
        ],
        [Bob, Carol],
        new CardRefresh("refresh", GateData, [Bob, Carol]));

    /// <summary>The runbook card as the bot builds it for a run waiting at <paramref name="gateId"/> of a built-in runbook.</summary>
    public static CardDocument RealGate(string runbook, string gateId, bool counted)
    {
        var definition = DrBot.Runbooks.Definitions.BuiltInRunbooks.All.Single(d => d.Name == runbook);
        var at = new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
        var run = new DrBot.Runbooks.Runs.RunRecord
        {
            Id = "run-7", Runbook = runbook, Region = "west-us", FromRegion = "east-us", StartedBy = "alice", StartedAt = at, State = gateId, Version = 9,
            GateExpiresAt = at.AddMinutes(30),
            Facts = new(StringComparer.OrdinalIgnoreCase) { ["replication_lag_seconds"] = "90", ["rpo_bound_seconds"] = "90" },
        };
        foreach (var step in definition.Steps.TakeWhile(s => s.Id != gateId))
            run.Steps.Add(new DrBot.Runbooks.Runs.StepRecord { StepId = step.Id, Title = step.Title, Status = DrBot.Runbooks.Runs.StepStatus.Succeeded, Detail = "ok" });
        var gate = new DrBot.Runbooks.Runs.StepRecord { StepId = gateId, Title = definition.Step(gateId)!.Title, Status = DrBot.Runbooks.Runs.StepStatus.AwaitingApproval };
        if (counted)
            gate.Approvals.Add(new DrBot.Runbooks.Runs.GateApproval("bob", "Bob", "teams", at, "lag is fine"));
        run.Steps.Add(gate);
        return DrBot.Bot.Views.RunbookCard.Build(run, definition, [], new DrBot.Runbooks.People.Roster([Alice, Bob, Carol]), at.AddMinutes(1));
    }

    private static Dictionary<string, CardDocument> Build()
    {
        var cards = new Dictionary<string, CardDocument>(StringComparer.Ordinal)
        {
            ["plain text"] = CardDocument.Text("Runbooks: region-failover, database-failover"),
            ["runbook with gate"] = RunbookWithGate(),
            ["runbook gate needing two leads, one counted"] = RealGate("region-failover", "approve-failover", counted: true),
            ["runbook destructive gate with its confirmation box"] = RealGate("database-failover", "accept-data-loss", counted: false),
            ["every block type"] = new("All blocks", "All blocks", Blocks:
            [
                new TextBlock("A **bold** paragraph."),
                new TextBlock("A quiet paragraph.", Subtle: true),
                new FactsBlock([new Fact("Severity", "P1")]),
                new StepsBlock([.. Enum.GetValues<StepLineStatus>().Select(status => new StepLine($"Step {status}", status, "01:02", $"detail of {status}"))]),
                new ContextBlock("Started by Alice"),
                new FactsBlock([]),
                new StepsBlock([]),
            ]),
            ["inputs"] = new("Inputs", "Inputs", Inputs:
            [
                new CardInput("reason", "Reason", "Why?"),
                new CardInput("notes", "Notes", "Anything else", Multiline: true),
            ], Buttons: [new CardButton("Send", "note", new Dictionary<string, string>())]),
            ["buttons of each style"] = new("Buttons", "Buttons", Buttons:
            [
                new CardButton("Start runbook", "start-runbook", new Dictionary<string, string> { ["runbook"] = "region-failover", ["region"] = "west-us" }, ButtonStyle.Positive),
                new CardButton("Ignore", "dismiss", new Dictionary<string, string> { ["alertId"] = "a-1" }),
                new CardButton("Abort", "abort", GateData, ButtonStyle.Destructive, new ButtonConfirm("Abort", "Rolls back every step done so far.", "Abort", "Keep going")),
            ]),
            ["mentions"] = new("P1 opened", "P1 opened: <at>Alice</at>", CardTone.Attention, Mentions: [Alice, Bob, Carol]),
            ["mentions without teams ids"] = new("Escalation", "Escalation", Mentions: [Carol]),
            ["refresh for many approvers"] = new("Approvers", "Approvers", Refresh: new CardRefresh("refresh", GateData,
                [.. Enumerable.Range(0, 70).Select(i => Person.Of($"p{i}", $"P{i}", [Roles.Lead], null, i % 7 == 0 ? null : $"aad-{i}"))])),
            ["too many buttons"] = new("Choices", "Choices", Buttons: [.. Enumerable.Range(1, 7).Select(i => new CardButton($"Option {i}", $"choose-{i}", GateData))]),
            ["very long content"] = VeryLong("x"),
            ["very long emoji content"] = VeryLong("🔥"),
        };

        foreach (var tone in Enum.GetValues<CardTone>())
        {
            cards[$"tone {tone}"] = new($"Tone {tone}", $"Tone {tone}", tone, "with a subtitle", [new TextBlock("body")]);
        }

        return cards;
    }

    private static CardDocument VeryLong(string filler)
    {
        var text = string.Concat(Enumerable.Repeat(filler, 9000)) + string.Concat(Enumerable.Repeat("🔥", 3000));
        var steps = Enumerable.Range(1, 300)
            .Select(i => new StepLine($"Step {i} {text[..200]}", i < 150 ? StepLineStatus.Done : i == 150 ? StepLineStatus.Running : StepLineStatus.Pending, "00:01", text))
            .ToList();
        var facts = Enumerable.Range(1, 120).Select(i => new Fact($"Fact {i}", text)).ToList();
        var blocks = new List<CardBlock> { new StepsBlock(steps), new FactsBlock(facts) };
        blocks.AddRange(Enumerable.Range(1, 80).Select(_ => new TextBlock(text)));
        var people = Enumerable.Range(1, 80).Select(i => Person.Of($"p{i}", $"Person {i}", [Roles.Lead], null, $"aad-{i}")).ToList();
        return new CardDocument(text, text, CardTone.Attention, text, blocks,
            [new CardInput("reason", "Reason", "Why?")],
            [new CardButton("Approve", "approve", GateData, ButtonStyle.Positive)],
            people,
            new CardRefresh("refresh", GateData, people));
    }
}
