using DrBot.Bot.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Bot.Tests.Channels.Budget;

/// <summary>The one rule Slack and Teams share: answer within the platform's budget, or acknowledge and answer later.</summary>
public sealed class AcknowledgeWithinBudgetTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private readonly FakeTimeProvider _time = new();
    private readonly Lifetime _lifetime = new();

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationTokenSource Stopping { get; } = new();
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => Stopping.Token;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => Stopping.Cancel();
    }

    [Fact]
    public async Task An_answer_within_the_budget_answers_the_request_and_nothing_goes_the_late_way()
    {
        var late = new List<ChatReply>();

        var outcome = await new AcknowledgeWithinBudget(_time, _lifetime).RunAsync(
            _ => Task.FromResult(ChatReply.PrivateText("done")), Budget,
            (reply, _) => { late.Add(reply); return Task.CompletedTask; }, _ => { }, CancellationToken.None);

        Assert.True(outcome.InTime);
        Assert.Equal("done", outcome.Reply!.Text);
        Assert.Empty(late);
    }

    [Fact]
    public async Task A_slower_answer_is_acknowledged_when_the_budget_runs_out_and_then_sent_the_late_way_with_the_work_still_running()
    {
        var release = new TaskCompletionSource();
        var lateReply = new TaskCompletionSource<ChatReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledge = new AcknowledgeWithinBudget(_time, _lifetime);

        var running = acknowledge.RunAsync(
            async _ => { await release.Task; return ChatReply.PrivateText("slow answer"); }, Budget,
            (reply, _) => { lateReply.SetResult(reply); return Task.CompletedTask; }, _ => { }, CancellationToken.None);
        while (!running.IsCompleted)
        {
            // The budget's timer may be set up a moment after the call: move the clock until it has fired.
            _time.Advance(Budget);
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None));
        }
        var outcome = await running;
        var sentBeforeRelease = lateReply.Task.IsCompleted;
        release.SetResult();

        Assert.False(outcome.InTime);
        Assert.Null(outcome.Reply);
        Assert.False(sentBeforeRelease);
        Assert.Equal("slow answer", (await lateReply.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text);
    }

    [Fact]
    public async Task A_late_answer_that_cannot_be_sent_is_reported_to_the_platform_not_thrown()
    {
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);

        var outcome = await new AcknowledgeWithinBudget(_time, _lifetime).RunAsync(
            _ => Task.FromResult(ChatReply.PrivateText("answer")), TimeSpan.Zero,
            (_, _) => throw new HttpRequestException("platform down"), ex => failed.SetResult(ex), CancellationToken.None);

        Assert.False(outcome.InTime);
        Assert.Equal("platform down", (await failed.Task.WaitAsync(TimeSpan.FromSeconds(30))).Message);
    }
}
