using System.Globalization;
using System.Reflection;
using DrBot.Bot.Channels;
using DrBot.Bot.Runs;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.DependencyInjection;

namespace DrBot.Bot.Tests.Runs;

/// <summary>
/// A store outage right after an action step must not strand a run mid-failover: the real LiteDB
/// store refuses one save (as an unreachable store does), and the dispatcher advances the run again
/// after its backoff until it finishes, without a restart.
/// </summary>
public sealed class StoreOutageRequeueTests
{
    /// <summary>The real store, except that one chosen run save fails as if the store were unreachable.</summary>
    public class OnceUnreachableStore : DispatchProxy
    {
        public IDrBotStore Inner { get; set; } = null!;
        public Func<RunRecord, bool>? FailWhen { get; set; }
        public int Failures;

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            // A run is saved only in a commit with the messages it causes.
            var saved = method!.Name switch
            {
                nameof(IDrBotStore.TryCommitAsync) => args![0] is StoreCommit commit ? commit.Runs : [],
                _ => (IReadOnlyList<RunRecord>)[],
            };
            if (FailWhen is { } when && saved.Any(when))
            {
                FailWhen = null;
                Interlocked.Increment(ref Failures);
                return method.ReturnType == typeof(Task<bool>)
                    ? Task.FromException<bool>(new StoreUnavailableException("the store did not answer"))
                    : Task.FromException(new StoreUnavailableException("the store did not answer"));
            }
            try
            {
                return method.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }

    [Fact]
    public async Task A_save_that_fails_once_after_an_action_step_is_retried_and_the_run_finishes()
    {
        OnceUnreachableStore? flaky = null;
        await using var bot = InProcessBot.Create(replace: services => services.AddSingleton<IDrBotStore>(sp =>
        {
            var proxy = DispatchProxy.Create<IDrBotStore, OnceUnreachableStore>();
            flaky = (OnceUnreachableStore)(object)proxy;
            flaky.Inner = sp.GetRequiredService<LiteDbStore>();
            return proxy;
        }));
        var handler = bot.Get<IChatInputHandler>();
        var roster = bot.Get<Roster>();
        ChatInput As(string who, string? text, CardAction? action = null) => new("local", "local", null, new ChatUser(who, who, roster.ByName(who)), text, action, null);
        var dispatcher = bot.Get<RunDispatcher>();
        using var stop = new CancellationTokenSource();
        await dispatcher.StartAsync(stop.Token);
        try
        {
            await handler.HandleAsync(As("bob", "drill region-down east-us"), CancellationToken.None);
            await handler.HandleAsync(As("alice", "/failover west-us"), CancellationToken.None);
            var run = await WaitAsync(bot, r => r.Steps.Any(s => s.Status == StepStatus.AwaitingApproval));

            var succeededAtGate = run.Steps.Count(s => s.Status == StepStatus.Succeeded);
            flaky!.FailWhen = r => r.Steps.Count(s => s.Status == StepStatus.Succeeded) > succeededAtGate + 1;
            Assert.False((await handler.HandleAsync(As("bob", null, await GateClicks.FromCardAsync(bot, run.Id)), CancellationToken.None)).IsError);
            Assert.False((await handler.HandleAsync(As("carol", null, await GateClicks.FromCardAsync(bot, run.Id)), CancellationToken.None)).IsError);

            var finished = await WaitAsync(bot, r => r.IsFinished);

            Assert.Equal(1, flaky.Failures);
            Assert.Equal(RunOutcome.Succeeded, finished.Outcome);
        }
        finally
        {
            await stop.CancelAsync();
            await dispatcher.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Moves the fake clock a second at a time (the dispatcher's backoff runs on it) until the run matches.</summary>
    private static async Task<RunRecord> WaitAsync(InProcessBot bot, Func<RunRecord, bool> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            var runs = await bot.Get<LiteDbStore>().ListRunsAsync(unfinishedOnly: false, CancellationToken.None);
            if (runs.FirstOrDefault(condition) is { } run)
                return run;
            bot.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20);
        }
        var all = await bot.Get<LiteDbStore>().ListRunsAsync(unfinishedOnly: false, CancellationToken.None);
        throw new Xunit.Sdk.XunitException("the run never got there: " + string.Join("; ", all.Select(r => $"{r.Id} {r.State} {r.Outcome}")));
    }
}
