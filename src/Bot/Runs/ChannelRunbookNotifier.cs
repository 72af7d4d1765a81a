using DrBot.Bot.Cards;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Runs;

/// <summary>
/// Notify, status-page and ticket steps of a runbook post into the incident's thread; the status-page
/// step also publishes its text as a public update (/status, Statuspage, customer email) and the ticket
/// step opens a real ticket when configured. A step repeated after a crash does nothing twice: each
/// (run, audience) notice claims a key first.
/// </summary>
public sealed class ChannelRunbookNotifier(CardPublisher publisher, IIdempotencyStore idempotency, IncidentService incidents, TimeProvider time, Integrations.Tickets.IncidentTickets tickets,
    StatusPage.PublicUpdatePublisher publicUpdates) : IRunbookNotifier
{
    public async Task NotifyAsync(string runId, string? incidentId, string audience, string text, CancellationToken cancellationToken)
    {
        var key = $"notify:{runId}:{audience}";
        if (!await idempotency.TryClaimIdempotencyKeyAsync(key, time.GetUtcNow(), cancellationToken))
            return;
        await publisher.PostAsync(key, Notice(runId, audience, text), cancellationToken, incidentId is null ? null : IncidentCards.PostKey(incidentId));
        // The ticket step opens a real ticket when a ticket system is configured.
        if (audience == "ticket" && incidentId is not null && await incidents.GetAsync(incidentId, cancellationToken) is { } incident)
            await tickets.CreateAsync(incident, text, cancellationToken);
        if (audience == "status-page" && incidentId is not null)
            await publicUpdates.PublishFromRunAsync(incidentId, runId, text, cancellationToken);
    }

    /// <summary>The audience is the title and the text is said once, below it (a long timeline is no title).</summary>
    public static CardDocument Notice(string runId, string audience, string text)
    {
        var heading = audience.Length == 0 ? "Notice" : char.ToUpperInvariant(audience[0]) + audience[1..].Replace('-', ' ');
        var firstLine = text.Split('\n', 2)[0].TrimEnd();
        return new CardDocument($"📢 {heading}", $"{heading}: {firstLine}", Blocks: [new TextBlock(text), new ContextBlock($"Run {runId}")]);
    }
}
