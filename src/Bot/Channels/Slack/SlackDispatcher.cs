using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DrBot.Bot.Channels.Slack;

/// <summary>Busy: refused before anything was recorded (too many deliveries in flight); the sender should retry later.</summary>
public enum SlackDispatchKind { Duplicate, Answered, Deferred, Busy }

public sealed record SlackDispatchOutcome(SlackDispatchKind Kind, ChatReply? Reply)
{
    public static readonly SlackDispatchOutcome Duplicate = new(SlackDispatchKind.Duplicate, null);
    public static readonly SlackDispatchOutcome Deferred = new(SlackDispatchKind.Deferred, null);
    public static readonly SlackDispatchOutcome Busy = new(SlackDispatchKind.Busy, null);
}

/// <summary>
/// Hands one Slack delivery to the channel-neutral handler, once: the delivery key is claimed in
/// the store first as <c>slack-inbound:{key}</c> (retries and repeats are dropped); the handler's
/// own <see cref="ChatInput.DeliveryId"/> (<c>slack:{key}</c>) stays free for it to claim. The handler gets the acknowledgement budget;
/// when it needs longer the request is acknowledged and the reply follows through the responder.
/// </summary>
public sealed class SlackDispatcher(
    IServiceScopeFactory scopes,
    IIdempotencyStore store,
    SlackResponder responder,
    TimeProvider time,
    AcknowledgeWithinBudget acknowledge,
    ILogger<SlackDispatcher> logger,
    IOptions<SlackOptions> options)
{
    /// <summary>Beginning of the key a Slack delivery claims (Slack retries for minutes, so retention may drop it after days).</summary>
    public const string InboundKeyPrefix = "slack-inbound:";

    private int _inFlight;

    /// <summary>Deliveries being handled now (claimed and not yet answered).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public async Task<SlackDispatchOutcome> DispatchAsync(
        ChatInput input, string deliveryKey, SlackReplyTarget lateTarget, TimeSpan budget, CancellationToken cancellationToken)
    {
        // Bounded, and checked before the delivery is claimed: a flood cannot pile up unbounded background
        // work, and a refused delivery leaves no trace, so Slack's retry (or the person's) is accepted.
        var max = options.Value.MaxInFlight;
        if (Interlocked.Increment(ref _inFlight) > max)
        {
            Interlocked.Decrement(ref _inFlight);
            SlackLog.Busy(logger, deliveryKey, max);
            return SlackDispatchOutcome.Busy;
        }
        var handedOff = false;
        try
        {
            try
            {
                if (!await store.TryClaimIdempotencyKeyAsync(InboundKeyPrefix + deliveryKey, time.GetUtcNow(), cancellationToken))
                {
                    SlackLog.DuplicateDelivery(logger, deliveryKey);
                    return SlackDispatchOutcome.Duplicate;
                }
            }
            catch (StoreUnavailableException ex)
            {
                SlackLog.StoreUnavailable(logger, deliveryKey, ex);
                return new(SlackDispatchKind.Answered, ChatReply.Error("DrBot cannot record this right now (its store is unavailable), so nothing was done. Please try again shortly."));
            }
            handedOff = true;
            return await RunAsync(input, deliveryKey, lateTarget, budget, cancellationToken);
        }
        finally
        {
            if (!handedOff)
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    /// <summary>Runs the claimed delivery in the background (it owns one in-flight slot until it ends) and waits up to the budget.</summary>
    private async Task<SlackDispatchOutcome> RunAsync(ChatInput input, string deliveryKey, SlackReplyTarget lateTarget, TimeSpan budget, CancellationToken cancellationToken)
    {
        var outcome = await acknowledge.RunAsync(
            async stopping =>
            {
                try
                {
                    return await HandleAsync(input, deliveryKey, stopping);
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }
            },
            budget,
            (reply, token) => responder.SendAsync(reply, lateTarget, token),
            LateReplyFailed,
            cancellationToken);
        if (outcome.InTime)
        {
            return new(SlackDispatchKind.Answered, outcome.Reply);
        }
        if (budget > TimeSpan.Zero)
        {
            SlackLog.Deferred(logger, deliveryKey);
        }
        return SlackDispatchOutcome.Deferred;
    }

    /// <summary>Sends a reply after the acknowledgement; failures are logged, never thrown at nobody.</summary>
    public Task ReplyLaterAsync(ChatReply reply, SlackReplyTarget target) =>
        acknowledge.AnswerLateAsync(reply, (r, token) => responder.SendAsync(r, target, token), LateReplyFailed);

    private void LateReplyFailed(Exception ex) => SlackLog.LateReplyFailed(logger, ex.Message);

    private async Task<ChatReply> HandleAsync(ChatInput input, string deliveryKey, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<IChatInputHandler>();
            return await handler.HandleAsync(input, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            SlackLog.StoreUnavailable(logger, deliveryKey, ex);
            return ChatReply.Error("DrBot cannot record this right now (its store is unavailable), so nothing was done. Please try again shortly.");
        }
#pragma warning disable CA1031 // The handler's failure becomes a reply to the user; the details go to the log.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            SlackLog.HandlerFailed(logger, deliveryKey, ex);
            return ChatReply.Error("Something went wrong while handling that; the details are in DrBot's log.");
        }
    }
}
