namespace DrBot.Bot.Channels;

/// <summary>What became of an inbound delivery under <see cref="AcknowledgeWithinBudget"/>.</summary>
/// <param name="InTime">The work finished within the budget: <paramref name="Reply"/> answers the request itself.</param>
public sealed record BudgetedReply(bool InTime, ChatReply? Reply)
{
    public static readonly BudgetedReply Late = new(false, null);
}

/// <summary>
/// The one rule for answering a chat platform that gives the bot only a few seconds per request
/// (Slack: 3 s, Bot Framework: 15 s): the work starts at once and outlives the request (it stops only
/// with the application); when it ends within the platform's budget its reply answers the request,
/// otherwise the request is acknowledged and the reply goes out later through the platform's
/// <c>late</c> route (Slack: the response URL, which keeps private answers private; Teams: the
/// durable outbox). A late reply that cannot be sent is logged, never thrown at nobody.
/// </summary>
public sealed class AcknowledgeWithinBudget(TimeProvider time, IHostApplicationLifetime lifetime)
{
    public async Task<BudgetedReply> RunAsync(
        Func<CancellationToken, Task<ChatReply>> work,
        TimeSpan budget,
        Func<ChatReply, CancellationToken, Task> late,
        Action<Exception> lateFailed,
        CancellationToken requestAborted)
    {
        var stopping = lifetime.ApplicationStopping;
        var running = Task.Run(() => work(stopping), stopping);
        if (budget > TimeSpan.Zero)
        {
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
            var timer = Task.Delay(budget, time, stopWaiting.Token);
            var first = await Task.WhenAny(running, timer);
            await stopWaiting.CancelAsync();
            if (first == running)
            {
                return new BudgetedReply(true, await running);
            }
        }
        _ = AnswerLateAsync(running, late, lateFailed);
        return BudgetedReply.Late;
    }

    /// <summary>Sends <paramref name="reply"/> through the late route now (after an acknowledgement that said nothing).</summary>
    public Task AnswerLateAsync(ChatReply reply, Func<ChatReply, CancellationToken, Task> late, Action<Exception> lateFailed) =>
        AnswerLateAsync(Task.FromResult(reply), late, lateFailed);

    private async Task AnswerLateAsync(Task<ChatReply> running, Func<ChatReply, CancellationToken, Task> late, Action<Exception> lateFailed)
    {
        try
        {
            var reply = await running;
            await late(reply, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Shutting down: the outbox carries anything durable.
        }
#pragma warning disable CA1031 // A late reply has no caller left to throw to: the platform logs it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lateFailed(ex);
        }
    }
}
