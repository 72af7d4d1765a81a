using DrBot.Bot.Channels;
using DrBot.Bot.Compliance;
using DrBot.Bot.Drills;
using DrBot.Bot.Kpis;
using DrBot.Runbooks.Drills;
using DrBot.Runbooks.Incidents;
using DrBot.Bot.PostMortems;
using DrBot.Bot.Validation;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Strategy;

/// <summary>Answers the strategy commands. Reads are open to the channel; changes need the roster.</summary>
public sealed class StrategyCommandHandler(PostMortemService postMortems, KpiService kpis, ChaosDrillService chaos, DrillScheduler schedule, ComplianceService compliance, ValidationService validations, ExerciseArchive archive, PublicLinks links, IncidentService incidents, Preflight.PreflightService preflight, TimeProvider time)
{
    /// <summary>Card verbs answered here (the "drill due" card's buttons).</summary>
    public static readonly IReadOnlySet<string> Verbs = new HashSet<string>(StringComparer.Ordinal) { DrillScheduleCards.StartVerb, DrillScheduleCards.PostponeVerb };

    public async Task<ChatReply> HandleActionAsync(string verb, IReadOnlyDictionary<string, string> data, Actor actor, CancellationToken cancellationToken)
    {
        if (!data.TryGetValue(DrillScheduleCards.ScheduleKey, out var name) || string.IsNullOrWhiteSpace(name))
            return ChatReply.Error("This button is missing its schedule name; type `drill start <name>` or `drill postpone <name>` (`drills` lists them).");
        return await HandleAsync(new DecideScheduledDrillCommand(name, verb == DrillScheduleCards.StartVerb, data.GetValueOrDefault(DrillScheduleCards.OccurrenceKey)), actor, cancellationToken);
    }

    public async Task<ChatReply> HandleAsync(StrategyCommand command, Actor actor, CancellationToken cancellationToken)
    {
        if (command.ChangesSomething && !actor.IsKnown)
            return ChatReply.Error($"{actor.DisplayName}, you are not on the DrBot roster, so you may read but not act. Ask an admin to add your {actor.Channel} id ({actor.PlatformUserId}) under DrBot:People.");
        return command switch
        {
            PublishPostMortemCommand publish => await PublishAsync(publish, actor, cancellationToken),
            ShowPostMortemCommand show => await ShowPostMortemAsync(show.IncidentId, cancellationToken),
            StartChaosDrillCommand start => Reply(await chaos.StartAsync(start.Scenario, start.Region, actor, cancellationToken)),
            CheckDrillCommand check => Reply(await chaos.CheckAsync(check.ExerciseId, actor, cancellationToken)),
            ListDrillsCommand => await ListDrillsAsync(cancellationToken),
            DecideScheduledDrillCommand decide => Reply(decide.Start ? await schedule.StartAsync(decide.Name, actor, cancellationToken, decide.Occurrence) : await schedule.PostponeAsync(decide.Name, actor, cancellationToken, decide.Occurrence)),
            ValidateCommand validate => Reply(await validations.StartAsync(validate.Kind, actor, validate.Replica, cancellationToken)),
            ComplianceReportCommand report => await ComplianceAsync(report, cancellationToken),
            KpisCommand k => await KpisAsync(k.Period, cancellationToken),
            PreflightCommand => await PreflightAsync(cancellationToken),
            _ => ChatReply.PrivateText("Unknown strategy command."),
        };
    }

    private static ChatReply Reply((bool Ok, string Message) result) =>
        result.Ok ? ChatReply.Public(result.Message) : ChatReply.Error(result.Message);

    private static ChatReply Reply((bool Ok, string Message, ExerciseRecord? Drill) result) =>
        result.Ok ? ChatReply.Public(result.Message, result.Drill is { IsFinished: true } d ? DrillCards.Result(d) : null) : ChatReply.Error(result.Message);

    private async Task<ChatReply> ListDrillsAsync(CancellationToken cancellationToken)
    {
        var all = await archive.ListAsync(cancellationToken);
        var lines = new List<string>(await schedule.DescribeAsync(cancellationToken));
        foreach (var e in all.Where(e => !e.IsFinished))
            lines.Add($"▶ {e.Id} {e.Kind} in {e.Region} ({e.Mode}): running since {e.StartedAt:yyyy-MM-dd HH:mm} UTC ({(ExerciseKinds.ChaosScenarios.Contains(e.Kind) ? $"`drill check {e.Id}`" : $"ends with its run {e.Facts.GetValueOrDefault("run", "")}")})");
        foreach (var e in all.Where(e => e.IsFinished).TakeLast(10).Reverse())
            lines.Add($"• {e.Id} {e.Kind}{(e.Region is null ? "" : $" in {e.Region}")}: {e.Status.ToString().ToLowerInvariant()} {e.StartedAt:yyyy-MM-dd HH:mm} UTC, {e.Criteria.Count(c => c.Passed)}/{e.Criteria.Count} criteria");
        return ChatReply.PrivateText(lines.Count == 0 ? "No drill or validation has run yet." : "Drills and validations:\n" + string.Join("\n", lines));
    }

    private async Task<ChatReply> ComplianceAsync(ComplianceReportCommand command, CancellationToken cancellationToken)
    {
        if (compliance.ParsePeriod(command.From, command.To, out var error) is not { } period)
            return ChatReply.Error(error!);
        var report = await compliance.BuildAsync(period.From, period.To, cancellationToken);
        var query = $"?from={period.From:yyyy-MM-dd}&to={period.To.AddTicks(-1):yyyy-MM-dd}";
        return ChatReply.PrivateText(
            $"Compliance evidence {period.From:yyyy-MM-dd} to {period.To.AddTicks(-1):yyyy-MM-dd}: {report.Drills.Count} drills ({report.Drills.Count(d => d.Status == ExerciseStatus.Passed)} passed), " +
            $"{report.Failovers.Count} failovers, {report.BackupTests.Count} backup/consistency tests, audit chain {(report.Audit.Valid ? "intact" : "BROKEN")} ({report.Audit.Problem}).\n" +
            $"Markdown: {links.To("/reports/compliance.md" + query)}\nJSON: {links.To("/reports/compliance.json" + query)}");
    }

    /// <summary>Answers at once with the last pre-flight; a fresh one runs beside and posts its card when done.</summary>
    private async Task<ChatReply> PreflightAsync(CancellationToken cancellationToken)
    {
        var last = await preflight.LastAsync(cancellationToken);
        _ = preflight.Start(postReport: true); // its report card is posted when done
        return last is null
            ? ChatReply.Public("Pre-flight started: every failover runbook is checked without changing anything; the report follows here.")
            : ChatReply.Public("Last pre-flight below; a fresh one is running and its report follows here.", Preflight.PreflightCards.Report(last, time.GetUtcNow()));
    }

    private async Task<ChatReply> KpisAsync(string? period, CancellationToken cancellationToken)
    {
        var (report, error) = await kpis.ComputeAsync(period, cancellationToken);
        if (report is null)
            return ChatReply.Error(error!);
        var page = links.To($"/kpis?period={Uri.EscapeDataString(period ?? Runbooks.Kpis.KpiPeriod.Default)}");
        return ChatReply.Public($"DR KPIs, {report.Period.Label}: {page}", KpiCards.Summary(report, page));
    }

    private async Task<ChatReply> PublishAsync(PublishPostMortemCommand publish, Actor actor, CancellationToken cancellationToken)
    {
        var (ok, message) = await postMortems.PublishAsync(publish.IncidentId, publish.Url, actor, cancellationToken);
        return ok ? ChatReply.Public(message) : ChatReply.Error(message);
    }

    private async Task<ChatReply> ShowPostMortemAsync(string? incidentId, CancellationToken cancellationToken)
    {
        if (incidentId is null)
        {
            // The most recently closed incident that owes one.
            var closed = (await incidents.ListAllAsync(cancellationToken)).Where(i => i.ClosedAt is not null).OrderByDescending(i => i.ClosedAt);
            foreach (var incident in closed)
                if (await postMortems.GetRecordAsync(incident.Id, cancellationToken) is not null)
                {
                    incidentId = incident.Id;
                    break;
                }
            if (incidentId is null)
                return ChatReply.PrivateText("No post-mortem is owed: drafts are written when a P1 or P2 incident is closed.");
        }
        if (await postMortems.GetRecordAsync(incidentId, cancellationToken) is not { } record)
            return ChatReply.PrivateText($"No post-mortem for '{incidentId}': drafts exist for closed P1/P2 incidents.");
        var state = record.IsPublished
            ? $"published at {record.PublishedUrl} by {record.PublishedBy}"
            : $"draft, due {record.DueAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        return ChatReply.PrivateText($"Post-mortem {record.IncidentId}: {state}.\nRead: {links.To(PostMortemService.PagePath(record.IncidentId))}\nMarkdown: {links.To(PostMortemService.MarkdownPath(record.IncidentId))}");
    }
}
