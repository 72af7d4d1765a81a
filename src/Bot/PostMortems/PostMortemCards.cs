using DrBot.Bot.Cards;
using DrBot.Bot.Views;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.PostMortems;

namespace DrBot.Bot.PostMortems;

/// <summary>Cards about a post-mortem: the draft is ready, a reminder, an escalation, published.</summary>
public static class PostMortemCards
{
    public static CardDocument DraftReady(Incident incident, PostMortemRecord record, string markdownUrl, string pageUrl, Person? commander) =>
        new($"📝 Post-mortem draft for {incident.Id}", $"Post-mortem draft for {incident.Id}: {pageUrl}", CardTone.Accent,
            Blocks:
            [
                new TextBlock($"{incident.Id} ({incident.Severity}) is closed. A post-mortem draft was written from the record; it is due {Durations.Clock(record.DueAt)} on {record.DueAt.UtcDateTime:yyyy-MM-dd}."),
                new FactsBlock([
                    new Fact("Read", pageUrl),
                    new Fact("Download (Markdown)", markdownUrl),
                    new Fact("Owner", commander?.DisplayName ?? record.Commander ?? "the incident commander (none named)"),
                    new Fact("When published", $"postmortem published {incident.Id} <url>"),
                ]),
            ],
            Mentions: commander is null ? [] : [commander]);

    public static CardDocument Reminder(PostMortemRecord record, string pageUrl, IReadOnlyList<Person> people, TimeSpan left) =>
        new($"⏰ Post-mortem for {record.IncidentId} due in {Durations.Format(left)}", $"Reminder: post-mortem for {record.IncidentId} is due in {Durations.Format(left)}", CardTone.Warning,
            Blocks:
            [
                new TextBlock($"{Names(people)}: the post-mortem for {record.IncidentId} is not published yet; it is due in {Durations.Format(left)}."),
                new FactsBlock([new Fact("Draft", pageUrl), new Fact("When published", $"postmortem published {record.IncidentId} <url>")]),
            ],
            Mentions: people);

    public static CardDocument Overdue(PostMortemRecord record, string pageUrl, IReadOnlyList<Person> people, string role, TimeSpan late) =>
        new($"📣 Post-mortem for {record.IncidentId} overdue", $"Post-mortem for {record.IncidentId} is overdue by {Durations.Format(late)}: escalated to {role}", CardTone.Attention,
            Blocks:
            [
                new TextBlock($"The post-mortem for {record.IncidentId} was due {Durations.Format(late)} ago and is not published. Escalated to {role}: {Names(people)}."),
                new FactsBlock([new Fact("Commander", record.Commander ?? "none named"), new Fact("Draft", pageUrl)]),
            ],
            Mentions: people);

    public static CardDocument Published(PostMortemRecord record, string by) =>
        new($"✅ Post-mortem for {record.IncidentId} published", $"Post-mortem for {record.IncidentId} published by {by}: {record.PublishedUrl}", CardTone.Good,
            Blocks: [new FactsBlock([
                new Fact("Published", record.PublishedUrl!),
                new Fact("By", by),
                new Fact("On time", record.PublishedOnTime == true ? "yes (within 48 hours)" : "no (after the due time)"),
            ])]);

    private static string Names(IReadOnlyList<Person> people) =>
        people.Count == 0 ? "nobody on the roster has that role" : string.Join(", ", people.Select(p => p.DisplayName));
}
