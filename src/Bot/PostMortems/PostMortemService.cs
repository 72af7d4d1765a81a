using DrBot.Runbooks.Application;
using DrBot.Bot.Incidents;
using DrBot.Bot.Outbox;
using DrBot.Bot.Schedulers;
using DrBot.Bot.Strategy;
using DrBot.Bot.Views;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.PostMortems;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Timers;
using Microsoft.Extensions.Options;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Policy;

namespace DrBot.Bot.PostMortems;

/// <summary>
/// The strategy's "post-mortem published within 48 hours": closing a P1/P2 writes a draft from the
/// record and two stored timers chase it: the commander at 24 h, the engineering lead at 48 h (and
/// every day after) until someone says <c>postmortem published &lt;id&gt; &lt;url&gt;</c>.
/// </summary>
public sealed class PostMortemService(
    ITimerStore timers,
    IIdempotencyStore values,
    RunQueries runQueries,
    IncidentService incidents,
    CardPublisher publisher,
    Roster roster,
    PublicLinks links,
    IOptions<PostMortemOptions> options,
    TimeProvider time) : IStoredTimerHandler
{
    public const string ReminderKind = "postmortem-reminder";
    public const string OverdueKind = "postmortem-overdue";

    public IReadOnlyCollection<string> Kinds { get; } = [ReminderKind, OverdueKind];

    public static string MarkdownPath(string incidentId) => $"/incidents/{incidentId}/postmortem.md";

    public static string PagePath(string incidentId) => $"/incidents/{incidentId}/postmortem";

    /// <summary>Called once the incident is closed: creates the record, the timers and the card (P1/P2 only).</summary>
    public async Task IncidentClosedAsync(Incident incident, CancellationToken cancellationToken)
    {
        if (!options.Value.Severities.Contains(incident.Severity, StringComparer.OrdinalIgnoreCase))
            return;
        if (await GetRecordAsync(incident.Id, cancellationToken) is not null)
            return;
        var closedAt = incident.ClosedAt ?? time.GetUtcNow();
        var record = new PostMortemRecord(incident.Id, closedAt, closedAt + options.Value.DueAfter, incident.Commander);
        await values.SetValueAsync(PostMortemRecord.Key(incident.Id), StoreJson.Write(record), cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(ReminderTimerId(incident.Id), ReminderKind, incident.Id, closedAt + options.Value.RemindAfter), cancellationToken);
        await timers.ScheduleTimerAsync(new ScheduledTimer(OverdueTimerId(incident.Id), OverdueKind, incident.Id, record.DueAt), cancellationToken);
        await publisher.PostAsync($"postmortem:{incident.Id}:draft",
            PostMortemCards.DraftReady(incident, record, links.To(MarkdownPath(incident.Id)), links.To(PagePath(incident.Id)), roster.ByName(incident.Commander)),
            cancellationToken, IncidentCards.PostKey(incident.Id));
    }

    public async Task<PostMortemRecord?> GetRecordAsync(string incidentId, CancellationToken cancellationToken) =>
        await values.GetValueAsync(PostMortemRecord.Key(incidentId), cancellationToken) is { } json ? StoreJson.Read<PostMortemRecord>(json) : null;

    /// <summary>The draft in Markdown, rendered from the current record; null when no post-mortem is owed.</summary>
    public async Task<string?> RenderAsync(string incidentId, CancellationToken cancellationToken)
    {
        if (await GetRecordAsync(incidentId, cancellationToken) is not { } record || await incidents.GetAsync(incidentId, cancellationToken) is not { } incident)
            return null;
        var runs = new List<RunRecord>();
        var decisions = new List<GateDecision>();
        foreach (var runId in incident.RunIds)
        {
            if (await runQueries.GetAsync(runId, cancellationToken) is { } run)
                runs.Add(run);
            decisions.AddRange(await runQueries.DecisionsAsync(runId, cancellationToken));
        }
        var metrics = incidents.Tiers.Measure(incident, incident.ClosedAt ?? time.GetUtcNow());
        return PostMortemDraft.Render(new PostMortemSources(incident, metrics, runs, decisions, record));
    }

    /// <summary><c>postmortem published &lt;id&gt; &lt;url&gt;</c>: records where it was published and stops the chasing.</summary>
    public async Task<(bool Ok, string Message)> PublishAsync(string incidentId, string url, Actor who, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            return (false, $"'{url}' is not a link: give the absolute http(s) address where the post-mortem was published, e.g. `postmortem published {incidentId} https://wiki.example.com/pm/{incidentId}`.");
        if (await GetRecordAsync(incidentId, cancellationToken) is not { } record)
            return (false, await incidents.GetAsync(incidentId, cancellationToken) is null
                ? $"No incident '{incidentId}'. Incident ids look like INC-0001."
                : $"{incidentId} owes no post-mortem: only closed {string.Join("/", options.Value.Severities)} incidents have one.");
        if (record.IsPublished)
            return (false, $"The post-mortem for {record.IncidentId} was already published at {record.PublishedUrl} by {record.PublishedBy}.");
        var published = record with { PublishedUrl = uri.AbsoluteUri, PublishedBy = who.ToString(), PublishedAt = time.GetUtcNow() };
        await values.SetValueAsync(PostMortemRecord.Key(incidentId), StoreJson.Write(published), cancellationToken);
        await timers.CancelTimerAsync(ReminderTimerId(record.IncidentId), cancellationToken);
        await timers.CancelTimerAsync(OverdueTimerId(record.IncidentId), cancellationToken);
        await incidents.AddTimelineAsync(record.IncidentId, "postmortem", $"Post-mortem published at {published.PublishedUrl}", who, cancellationToken);
        await publisher.PostAsync($"postmortem:{record.IncidentId}:published", PostMortemCards.Published(published, who.DisplayName), cancellationToken, IncidentCards.PostKey(record.IncidentId));
        return (true, $"Post-mortem for {record.IncidentId} marked published at {published.PublishedUrl}{(published.PublishedOnTime == true ? "" : " (after its due time)")}.");
    }

    public async Task FireAsync(ScheduledTimer timer, CancellationToken cancellationToken)
    {
        if (!await values.TryClaimIdempotencyKeyAsync(timer.OccurrenceKey, timer.DueAt, cancellationToken))
            return;
        if (await GetRecordAsync(timer.Subject, cancellationToken) is not { IsPublished: false } record)
            return;
        var page = links.To(PagePath(record.IncidentId));
        if (timer.Kind == ReminderKind)
        {
            var commander = roster.ByName(record.Commander);
            // No commander named: the leads get the reminder instead of nobody.
            var people = commander is null ? roster.WithRole(Roles.Lead) : [commander];
            await publisher.PostAsync($"postmortem:{record.IncidentId}:reminder", PostMortemCards.Reminder(record, page, people, record.DueAt - timer.DueAt), cancellationToken, IncidentCards.PostKey(record.IncidentId));
            await values.SetValueAsync(PostMortemRecord.Key(record.IncidentId), StoreJson.Write(record with { Reminded = true }), cancellationToken);
            return;
        }
        var role = options.Value.EscalationRole;
        await publisher.PostAsync($"postmortem:{record.IncidentId}:overdue:{timer.DueAt.UtcTicks}", PostMortemCards.Overdue(record, page, roster.WithRole(role), role, timer.DueAt - record.DueAt),
            cancellationToken, IncidentCards.PostKey(record.IncidentId));
        await values.SetValueAsync(PostMortemRecord.Key(record.IncidentId), StoreJson.Write(record with { Escalated = true }), cancellationToken);
        await timers.ScheduleTimerAsync(timer with { DueAt = timer.DueAt + options.Value.RepeatEscalationEvery, LeaseOwner = null, LeaseUntil = null }, cancellationToken);
    }

    public static string ReminderTimerId(string incidentId) => $"postmortem-reminder:{incidentId}";

    public static string OverdueTimerId(string incidentId) => $"postmortem-overdue:{incidentId}";
}
