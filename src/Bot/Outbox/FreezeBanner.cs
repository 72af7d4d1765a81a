using DrBot.Bot.Cards;
using DrBot.Runbooks.Freeze;

namespace DrBot.Bot.Outbox;

/// <summary>
/// While a freeze holds, every card the outbox delivers (incident, alert, notice, answer) says so
/// first, whenever it was queued; run cards carry the banner already and are left as they are. The
/// freeze is read at most once a second, so a busy outbox does not read it per message.
/// </summary>
public sealed class FreezeBanner(RunFreeze freeze, TimeProvider time)
{
    private static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private (FreezeState? State, DateTimeOffset ReadAt)? _last;

    public async Task<CardDocument> ApplyAsync(CardDocument card, CancellationToken cancellationToken)
    {
        if (await CurrentAsync(cancellationToken) is not { } frozen)
            return card;
        var banner = $"**{frozen.Banner}**";
        return card.Body.OfType<TextBlock>().Any(b => b.Text == banner)
            ? card
            : card with { Blocks = [new TextBlock(banner), .. card.Body] };
    }

    private async Task<FreezeState?> CurrentAsync(CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_last is not { } last || now - last.ReadAt >= ReadEvery)
                _last = last = (await freeze.CurrentAsync(cancellationToken), now);
            return last.State;
        }
        finally
        {
            _reading.Release();
        }
    }
}
