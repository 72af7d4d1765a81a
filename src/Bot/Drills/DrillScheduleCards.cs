using DrBot.Bot.Cards;
using DrBot.Bot.Views;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Drills;

/// <summary>The "drill due" card with Start drill / Postpone, its decided form, and the overdue escalation.</summary>
public static class DrillScheduleCards
{
    public const string StartVerb = "drill-start";
    public const string PostponeVerb = "drill-postpone";
    public const string ScheduleKey = "schedule";
    /// <summary>The occurrence a button decides (<see cref="DrillScheduleState.DecisionKey"/>).</summary>
    public const string OccurrenceKey = "occurrence";

    public static string PostKey(string name, DateTimeOffset pendingSince) => $"drill-due:{name}:{pendingSince.UtcTicks}";

    public static CardDocument Due(string name, DrillScheduleEntry entry, DrillScheduleState state, IReadOnlyList<Person> deciders, string role, TimeSpan grace)
    {
        var data = new Dictionary<string, string> { [ScheduleKey] = name, [OccurrenceKey] = state.DecisionKey };
        var again = state.Postponements > 0 ? $" (postponed {state.Postponements}×)" : "";
        return new CardDocument($"🗓️ Drill due: {entry.Exercise}{again}", $"Scheduled drill {name} ({entry.Exercise}) is due: a {role} starts or postpones it", CardTone.Warning,
            Blocks:
            [
                new FactsBlock([
                    new Fact("Schedule", $"{name}: {entry.Describe()}"),
                    new Fact("Due", $"{state.DueAt:yyyy-MM-dd HH:mm} UTC"),
                    new Fact("Decides", deciders.Count == 0 ? $"nobody on the roster has the role {role}" : string.Join(", ", deciders.Select(p => p.DisplayName))),
                    new Fact("Escalates", $"to the engineering lead if not started within {Durations.Format(grace)} of the due time"),
                ]),
            ],
            Buttons:
            [
                new CardButton("Start drill", StartVerb, data, ButtonStyle.Positive, new ButtonConfirm("Start the drill?", $"{entry.Exercise} starts now: in Simulated mode its faults are injected into the simulated regions; in Live mode the validation runbook or the planned drill starts, each run waiting for a lead at its gate.", "Start", "Cancel")),
                new CardButton("Postpone", PostponeVerb, data),
            ],
            Mentions: deciders);
    }

    public static CardDocument Decided(string name, DrillScheduleEntry entry, string what) =>
        new($"🗓️ Drill {name}: {what}", $"Scheduled drill {name} ({entry.Exercise}): {what}", CardTone.Good, Blocks: [new TextBlock(what)]);

    public static CardDocument Overdue(string name, DrillScheduleEntry entry, DrillScheduleState state, IReadOnlyList<Person> targets, TimeSpan late) =>
        new($"📣 Drill overdue: {name}", $"Scheduled drill {name} ({entry.Exercise}) is overdue by {Durations.Format(late)}", CardTone.Attention,
            Blocks: [new TextBlock($"{entry.Exercise} was due {state.DueAt:yyyy-MM-dd HH:mm} UTC and has not been started ({Durations.Format(late)} late). Escalated to {(targets.Count == 0 ? "nobody (no one has the role)" : string.Join(", ", targets.Select(t => t.DisplayName)))}.")],
            Buttons: [new CardButton("Start drill", StartVerb, new Dictionary<string, string> { [ScheduleKey] = name }, ButtonStyle.Positive)],
            Mentions: targets);
}
