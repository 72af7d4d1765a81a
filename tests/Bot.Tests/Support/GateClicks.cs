using DrBot.Bot.Channels;
using DrBot.Bot.Runs;
using DrBot.Bot.Views;
using DrBot.Runbooks.People;

namespace DrBot.Bot.Tests.Support;

/// <summary>
/// Clicks on a run's gate as people do: the Approve (or Reject) button of the run's current card, with
/// what that button carries (run, step, card version, the digest of the facts it shows), through the router.
/// </summary>
public static class GateClicks
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The button <paramref name="verb"/> of the run's current card, its data plus the card's inputs as typed.</summary>
    public static async Task<CardAction> FromCardAsync(InProcessBot bot, string runId, string verb = CardVerbs.Approve, string? reason = null, string? confirm = null)
    {
        var run = (await bot.Store.GetRunAsync(runId, None))!;
        var card = await bot.Get<RunCardProjection>().BuildCardAsync(run, None);
        var button = card.Actions.Single(b => b.Verb == verb);
        var data = new Dictionary<string, string>(button.Data);
        if (reason is not null)
            data[CardVerbs.Reason] = reason;
        if (confirm is not null)
            data[CardVerbs.Confirm] = confirm;
        return new CardAction(verb, data, null);
    }

    /// <summary><paramref name="who"/> clicks the button of the run's current card; the router's answer.</summary>
    public static async Task<ChatReply> ClickAsync(InProcessBot bot, string runId, string who, string verb = CardVerbs.Approve, string? reason = null, string? confirm = null)
    {
        var click = await FromCardAsync(bot, runId, verb, reason, confirm);
        return await bot.Get<IChatInputHandler>().HandleAsync(
            new ChatInput("local", "local", null, new ChatUser(who, who, bot.Get<Roster>().ByName(who)), null, click, null), None);
    }

    /// <summary>
    /// <paramref name="approvers"/> approve the waiting gate in turn, each on the card as it is then, until the gate
    /// opens (region failover needs two leads); every click must be applied.
    /// </summary>
    public static async Task ApproveUntilOpenAsync(InProcessBot bot, string runId, string reason, params string[] approvers)
    {
        var gate = (await bot.Store.GetRunAsync(runId, None))!.State;
        foreach (var who in approvers)
        {
            var reply = await ClickAsync(bot, runId, who, reason: reason);
            Assert.False(reply.IsError, reply.Text);
            if ((await bot.Store.GetRunAsync(runId, None))!.State != gate)
                return;
        }
        Assert.Fail($"{string.Join(", ", approvers)} approved and the gate '{gate}' of {runId} is still waiting.");
    }
}
