using DrBot.Bot.Cards;
using DrBot.Bot.Views;
using DrBot.Runbooks.Drills;

namespace DrBot.Bot.Drills;

/// <summary>The drill card: what was injected, then each validation criterion with its measured value.</summary>
public static class DrillCards
{
    public static string PostKey(string exerciseId) => $"exercise:{exerciseId}";

    public static CardDocument Started(ExerciseRecord drill, string instructions) =>
        new($"🧪 Drill {drill.Id}: {drill.Kind} in {drill.Region}", $"Drill {drill.Id} ({drill.Kind}) started by {drill.StartedBy}", CardTone.Warning,
            Subtitle: drill.Mode == "live"
                ? "Live mode: a planned exercise on the real systems; nothing is injected and each run waits for a lead."
                : "Simulated mode: faults are injected into the simulated regions only.",
            Blocks:
            [
                new TextBlock(string.Join("\n", drill.Notes)),
                new TextBlock(instructions),
                new FactsBlock([new Fact("Started", $"{Durations.Clock(drill.StartedAt)} by {drill.StartedBy}"), new Fact("Ends", $"`drill check {drill.Id}`, or by itself when the scenario is over")]),
            ]);

    public static CardDocument Result(ExerciseRecord drill)
    {
        var passed = drill.Status == ExerciseStatus.Passed;
        var facts = drill.Criteria.Select(c => new Fact($"{(c.Passed ? "✅" : "❌")} {c.Name}", $"{c.Measured} (required: {c.Target})")).ToList();
        var duration = drill.EndedAt is { } end ? Durations.Format(end - drill.StartedAt) : "—";
        return new CardDocument($"🧪 Drill {drill.Id} {drill.Kind}: {(passed ? "passed" : "failed")}",
            $"Drill {drill.Id} ({drill.Kind}) {(passed ? "passed" : "failed")}: {drill.Criteria.Count(c => c.Passed)} of {drill.Criteria.Count} criteria met",
            passed ? CardTone.Good : CardTone.Attention,
            Subtitle: $"{drill.Region}, {drill.Mode}, {duration}, started by {drill.StartedBy}",
            Blocks: [new FactsBlock(facts), new ContextBlock(string.Join(" · ", drill.Notes.TakeLast(3)))]);
    }
}
