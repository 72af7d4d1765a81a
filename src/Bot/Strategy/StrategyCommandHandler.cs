using DrBot.Bot.Channels;
using DrBot.Bot.Kpis;
using DrBot.Bot.PostMortems;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Strategy;

/// <summary>Answers the strategy commands. Reads are open to the channel; changes need the roster.</summary>
public sealed class StrategyCommandHandler(PostMortemService postMortems, KpiService kpis, PublicLinks links, IDrBotStore store)
{
    public async Task<ChatReply> HandleAsync(StrategyCommand command, Actor actor, CancellationToken cancellationToken)
    {
        if (command.ChangesSomething && !actor.IsKnown)
            return ChatReply.Error($"{actor.DisplayName}, you are not on the DrBot roster, so you may read but not act. Ask an admin to add your {actor.Channel} id ({actor.PlatformUserId}) under DrBot:People.");
        return command switch
        {
            PublishPostMortemCommand publish => await PublishAsync(publish, actor, cancellationToken),
            ShowPostMortemCommand show => await ShowPostMortemAsync(show.IncidentId, cancellationToken),
            KpisCommand k => await KpisAsync(k.Period, cancellationToken),
            _ => ChatReply.PrivateText("Unknown strategy command."),
        };
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
            var closed = (await store.ListIncidentsAsync(openOnly: false, cancellationToken)).Where(i => i.ClosedAt is not null).OrderByDescending(i => i.ClosedAt);
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
