using DrBot.Bot.Channels;
using DrBot.Bot.Tests.Support;
using DrBot.Bot.Views;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Commands;

/// <summary>
/// Retry step / Skip / Roll back anyway past the point of no return, through the chat handler as a
/// person uses it: like approve, a typed choice must name its run (otherwise it is answered with the
/// stop's title and its card) and a click must carry the card's version.
/// </summary>
public sealed class PointOfNoReturnCommandTests
{
    [Fact]
    public async Task A_choice_that_does_not_name_its_run_or_a_click_without_a_version_decides_nothing()
    {
        await using var bot = InProcessBot.Create();
        var run = await StopPastThePointOfNoReturnAsync(bot);
        var handler = bot.Get<IChatInputHandler>();
        var carol = new ChatUser("carol", "Carol", bot.Get<Roster>().ByName("carol"));

        var unnamed = await handler.HandleAsync(new ChatInput("local", "local", null, carol, "rollback traffic is worse", null, null), CancellationToken.None);
        var versionless = await handler.HandleAsync(new ChatInput("local", "local", null, carol, null,
            new CardAction(CardVerbs.RollBackAnyway, new Dictionary<string, string> { [CardVerbs.RunId] = run.Id, [CardVerbs.StepId] = run.State }, null), null), CancellationToken.None);

        Assert.True(unnamed.Private);
        Assert.Contains($"`rollback {run.Id} [reason]`", unnamed.Text, StringComparison.Ordinal);
        Assert.Contains($"\"{run.Step(run.State)!.Title}\"", unnamed.Text, StringComparison.Ordinal);
        Assert.NotNull(unnamed.Card);
        Assert.True(versionless.IsError);
        Assert.Contains("no card version", versionless.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(await bot.Store.GetDecisionsAsync(run.Id, CancellationToken.None), d => d.StepId.StartsWith(run.State, StringComparison.Ordinal) && d.StepId != run.State);
        Assert.Equal(run.Version, (await bot.Store.GetRunAsync(run.Id, CancellationToken.None))!.Version);

        var named = await handler.HandleAsync(new ChatInput("local", "local", null, carol, $"rollback {run.Id} traffic is worse", null, null), CancellationToken.None);

        Assert.False(named.IsError, named.Text);
        Assert.Contains("asks to roll back anyway", named.Text, StringComparison.Ordinal);
    }

    /// <summary>A region failover whose secondary turns unhealthy right after traffic moved to it: it stops at verify-services.</summary>
    private static async Task<RunRecord> StopPastThePointOfNoReturnAsync(InProcessBot bot)
    {
        var world = bot.Get<SimulatedWorld>();
        world.InjectRegionDown("east-us");
        world.AfterSideEffect = effect =>
        {
            if (effect.Kind == "traffic.endpoint" && effect.Region == "west-us" && effect.Detail.Contains("enabled", StringComparison.Ordinal))
            {
                world.AfterSideEffect = null;
                world.InjectUnhealthy("west-us");
            }
            return ValueTask.CompletedTask;
        };
        var engine = bot.Get<RunbookEngine>();
        var started = await engine.StartAsync(new StartRunRequest("region-failover", "west-us", InProcessBot.Person("alice"), null), CancellationToken.None);
        Assert.True(started.Started, started.Message);
        var run = await engine.AdvanceAsync(started.Run!.Id, CancellationToken.None);
        while (!run.IsFinished && !PointOfNoReturn.IsGate(run, run.State))
        {
            // Region failover's gate needs two leads: bob, then carol on the card as it is then.
            var gate = run.State;
            foreach (var who in new[] { "bob", "carol" })
            {
                var current = (await bot.Store.GetRunAsync(run.Id, CancellationToken.None))!;
                if (current.State != gate)
                    break;
                var decided = await engine.DecideAsync(new GateDecisionRequest(run.Id, gate, InProcessBot.Person(who), true, "go", current.Version), CancellationToken.None);
                Assert.True(decided.Applied, decided.Message);
            }
            run = await engine.AdvanceAsync(run.Id, CancellationToken.None);
        }
        Assert.True(PointOfNoReturn.IsGate(run, run.State), $"the run ended {run.Outcome}: {run.OutcomeReason}");
        return run;
    }
}
