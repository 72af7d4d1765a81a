using DrBot.Bot.Cards;
using DrBot.Bot.Outbox;
using DrBot.Bot.Views;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Storage;

namespace DrBot.Bot.Runs;

/// <summary>
/// Notify, status-page and ticket steps of a runbook post into the incident's thread. A step
/// repeated after a crash posts nothing twice: each (run, audience) notice claims a key first.
/// </summary>
public sealed class ChannelRunbookNotifier(CardPublisher publisher, IIdempotencyStore store, TimeProvider time) : IRunbookNotifier
{
    public async Task NotifyAsync(string runId, string? incidentId, string audience, string text, CancellationToken cancellationToken)
    {
        var key = $"notify:{runId}:{audience}";
        if (!await store.TryClaimIdempotencyKeyAsync(key, time.GetUtcNow(), cancellationToken))
            return;
        await publisher.PostAsync(key, new CardDocument($"📢 {audience}: {text}", $"{audience}: {text}", Blocks: [new TextBlock(text), new ContextBlock($"Run {runId}")]),
            cancellationToken, incidentId is null ? null : IncidentCards.PostKey(incidentId));
    }
}
