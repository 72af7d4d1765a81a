using System.Globalization;
using DrBot.Bot.Cards;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Views;

/// <summary>
/// The part of the runbook card for a manual task (<c>Kind: manual</c>): its written instructions, who
/// may do it and until when, a note box (Adaptive Card <c>Input.Text</c>, a Block Kit input on Slack)
/// and a Done button carrying the run id, step id and version like Approve does.
/// </summary>
public static class ManualTaskCard
{
    public static CardRefresh Add(RunRecord run, StepDefinition step, Roster roster, List<CardBlock> blocks, List<CardInput> inputs, List<CardButton> buttons)
    {
        var title = run.Step(step.Id)?.Title ?? step.Title;
        var role = step.Role; // a manual step without a role: anyone on the roster
        var who = role is null ? "anyone on the roster" : $"someone with role {role}";
        blocks.Add(new TextBlock($"**Manual task:** {title}"));
        blocks.Add(new TextBlock(StepArguments.Resolve(step.Instructions ?? "", run)));
        blocks.Add(new TextBlock($"DrBot cannot do this itself: {who} does it and clicks **Done**" +
            (run.GateExpiresAt is { } expires ? $" before {Durations.Clock(expires)}; after that the run ends and escalates." : "."), Subtle: true));
        inputs.Add(new CardInput(CardVerbs.Reason, "Note (optional)", "What was done, ticket number, who confirmed"));
        var data = new Dictionary<string, string>
        {
            [CardVerbs.RunId] = run.Id,
            [CardVerbs.StepId] = step.Id,
            [CardVerbs.Version] = run.Version.ToString(CultureInfo.InvariantCulture),
        };
        buttons.Add(new CardButton("Done", CardVerbs.Done, data, ButtonStyle.Positive,
            new ButtonConfirm("Mark this task done?", $"{title} for {run.Runbook} → {run.Region}. The run goes on with its next step.", "Done", "Cancel")));
        var doers = role is null ? roster.People : roster.WithRole(role);
        return new CardRefresh(CardVerbs.Refresh, new Dictionary<string, string> { [CardVerbs.RunId] = run.Id }, [.. doers]);
    }

    /// <summary>The stamp of a Done click: who, when, and the note.</summary>
    public static string DoneStamp(GateDecision decision, RunRecord run)
    {
        var title = run.Step(decision.StepId)?.Title ?? decision.StepId;
        return $"☑ Done by {decision.DisplayName} ({decision.Channel}) at {Durations.Clock(decision.DecidedAt)}: {title}" +
            (string.IsNullOrWhiteSpace(decision.Reason) ? "" : $" — note: “{decision.Reason}”");
    }
}
