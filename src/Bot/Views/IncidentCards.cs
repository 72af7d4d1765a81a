using DrBot.Bot.Cards;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Views;

/// <summary>Incident cards: the incident header, status posts, escalation notices and the closing summary.</summary>
public static class IncidentCards
{
    public static string PostKey(string incidentId) => $"incident:{incidentId}";

    public static CardDocument Header(Incident incident, IReadOnlyList<Person> team, DrBotOptions options)
    {
        var label = options.Severities.TryGetValue(incident.Severity, out var sev) ? sev.Label : "";
        var mentions = string.Join(" ", team.Select(p => p.DisplayName));
        var blocks = new List<CardBlock>
        {
            new FactsBlock([
                new Fact("Severity", $"{incident.Severity} {label}".Trim()),
                new Fact("State", incident.State.ToString()),
                new Fact("Commander", incident.Commander ?? "unassigned"),
                new Fact("Region", incident.Region ?? "—"),
                new Fact("Tier", $"{incident.Tier} (RTO {Target(options, incident.Tier, t => t.Rto)}, RPO {Target(options, incident.Tier, t => t.Rpo)})"),
                new Fact("Opened", $"{Durations.Clock(incident.OpenedAt)} by {incident.OpenedBy}"),
                .. (incident.WarRoom is { } warRoom ? [new Fact("War room", warRoom)] : Array.Empty<Fact>()),
                .. (incident.Ticket is { } ticket ? [new Fact("Ticket", ticket)] : Array.Empty<Fact>()),
            ]),
        };
        if (team.Count > 0)
            blocks.Add(new TextBlock($"Paging {mentions}: respond within {ResponseTime(options, incident.Severity)}."));
        var buttons = incident.State == IncidentState.Open
            ? new List<CardButton> { new("Acknowledge", CardVerbs.Acknowledge, new Dictionary<string, string> { [CardVerbs.IncidentId] = incident.Id }, ButtonStyle.Positive) }
            : [];
        return new CardDocument($"🚨 {incident.Id} {incident.Severity}: {incident.Title}", $"{incident.Id} {incident.Severity} {incident.Title} ({incident.State})",
            incident.IsOpen ? CardTone.Attention : CardTone.Good, Blocks: blocks, Buttons: buttons, Mentions: team);
    }

    public static CardDocument StatusPost(Incident incident, IReadOnlyList<RunRecord> runs, DrBotOptions options, DateTimeOffset now, Person? commander)
    {
        var elapsed = now - (incident.FailureStartedAt ?? incident.OpenedAt);
        var rto = TierTarget(options, incident.Tier)?.Rto;
        var facts = new List<Fact>
        {
            new("State", incident.State.ToString()),
            new("Elapsed", rto is { } target ? $"{Durations.Format(elapsed)} of RTO {Durations.Format(target)}{(elapsed > target ? " — RTO exceeded" : "")}" : Durations.Format(elapsed)),
            new("Commander", incident.Commander ?? "unassigned"),
        };
        foreach (var run in runs)
        {
            var done = run.Steps.Count(s => s.Status is StepStatus.Succeeded or StepStatus.Approved or StepStatus.Skipped);
            facts.Add(new Fact($"Run {run.Id}", $"{run.Runbook} → {run.Region}: {done}/{run.Steps.Count} steps, {(run.IsFinished ? run.Outcome.ToString() : run.State)}"));
        }
        var blocks = new List<CardBlock> { new FactsBlock(facts) };
        var recent = incident.Timeline.TakeLast(3).ToList();
        if (recent.Count > 0)
            blocks.Add(new TextBlock("Last actions:\n" + string.Join("\n", recent.Select(e => $"• {Durations.Clock(e.At)} {e.Text}"))));
        var interval = options.StatusUpdates.Interval;
        var mentions = new List<Person>();
        if (incident.LastHumanUpdateAt is null || incident.LastHumanUpdateAt < now - interval)
        {
            blocks.Add(new TextBlock($"⏰ {commander?.DisplayName ?? "Commander"}: no human update in the last {Durations.Format(interval)} — post one with `update <text>`."));
            if (commander is not null)
                mentions.Add(commander);
        }
        return new CardDocument($"Status {incident.Id} · {Durations.Clock(now)}", $"Status update for {incident.Id}: {incident.State}, {Durations.Format(elapsed)} elapsed",
            incident.IsOpen ? CardTone.Default : CardTone.Good, Blocks: blocks, Mentions: mentions);
    }

    public static CardDocument Escalation(Incident incident, string reason, IReadOnlyList<Person> targets)
    {
        var names = targets.Count == 0 ? "nobody on the roster has that role" : string.Join(", ", targets.Select(t => t.DisplayName));
        return new CardDocument($"📣 Escalation {incident.Id} {incident.Severity}", $"Escalation for {incident.Id}: {reason}", CardTone.Attention,
            Blocks: [new TextBlock(reason), new FactsBlock([new Fact("Escalated to", names), new Fact("Incident", incident.Title)])],
            Buttons: [new CardButton("Acknowledge", CardVerbs.Acknowledge, new Dictionary<string, string> { [CardVerbs.IncidentId] = incident.Id }, ButtonStyle.Positive)],
            Mentions: targets);
    }

    /// <summary>
    /// The newest timeline entries a summary shows: a summary is posted after every failover of the
    /// incident, and a whole long timeline on each would outgrow the platforms' card limits and make
    /// every summary cost as much as the incident's history.
    /// </summary>
    public const int SummaryTimelineEntries = 25;

    /// <summary>Closing summary: timeline and measured time to detect, to failover, RTO and RPO against the tier target.</summary>
    public static CardDocument Summary(Incident incident, DrBotOptions options)
    {
        var start = incident.FailureStartedAt ?? incident.OpenedAt;
        var target = TierTarget(options, incident.Tier);
        var facts = new List<Fact>();
        if (incident.DetectedAt is { } detected)
            facts.Add(new Fact("Time to detect", Durations.Format(detected - start)));
        if (incident.FailoverCompletedAt is { } failover)
        {
            facts.Add(new Fact("Time to failover", Durations.Format(failover - (incident.DetectedAt ?? incident.OpenedAt))));
            var rto = failover - start;
            facts.Add(new Fact("RTO", Verdict(rto, target?.Rto)));
        }
        if (incident.MeasuredRpo is { } rpo)
            facts.Add(new Fact("RPO", Verdict(rpo, target?.Rpo)));
        if (facts.Count == 0)
            facts.Add(new Fact("Measurements", "no failover was completed in this incident"));
        var shown = incident.Timeline.TakeLast(SummaryTimelineEntries).Select(e => $"• {Durations.Clock(e.At)} {e.Text}");
        var earlier = incident.Timeline.Count - SummaryTimelineEntries;
        var timeline = string.Join("\n", earlier > 0
            ? shown.Prepend($"… {earlier} earlier entries (all kept on the incident; the post-mortem draft lists them)")
            : shown);
        return new CardDocument($"📋 {incident.Id} summary: {incident.Title}", $"Summary for {incident.Id}", CardTone.Good,
            Blocks: [new FactsBlock(facts), new TextBlock("Timeline:\n" + timeline)]);
    }

    public static string Verdict(TimeSpan measured, TimeSpan? target) => target is { } t
        ? $"{Durations.Format(measured)} (target {Durations.Format(t)}) {(measured <= t ? "✅ met" : "❌ missed")}"
        : Durations.Format(measured);

    public static TierOptions? TierTarget(DrBotOptions options, string tier) => options.Tiers.TryGetValue(tier, out var t) ? t : null;

    private static string Target(DrBotOptions options, string tier, Func<TierOptions, TimeSpan> pick) =>
        TierTarget(options, tier) is { } t ? Durations.Format(pick(t)) : "—";

    private static string ResponseTime(DrBotOptions options, string severity) =>
        options.Severities.TryGetValue(severity, out var s) && s.ResponseTime is { } r ? Durations.Format(r) : "—";
}
