using System.Diagnostics;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.EndToEnd;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;

namespace DrBot.Bot.Tests.Replicas;

/// <summary>
/// Two bot processes on one PostgreSQL store, as production runs them (one per region): every due
/// status post, escalation, runbook step and decision happens once, whichever replica it lands on;
/// a replica killed mid-step has its run finished by the other after the lease expires.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TwoReplicaTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Two_replicas_post_escalate_run_steps_and_record_fifty_split_clicks_exactly_once()
    {
        await using var pair = await ReplicaPair.StartAsync(delayFactor: 0.05);
        var clock = Stopwatch.StartNew();

        await pair.A.SendAsync("alice", "incident open P2 Primary database slow");
        await pair.B.SendAsync("alice", "incident open P2 Cache degraded");
        await pair.A.SendAsync("bob", "drill region-down east-us");
        await pair.B.SendAsync("alice", "/failover west-us");
        var (_, card) = await pair.WaitForMessageAsync(HasApprove, Wait);
        var approve = CardJson.Actions(card["card"]).First(a => a.Verb == "approve");

        // 50 clicks at once, split across both replicas, by two leads: one approval is counted (the gate needs two).
        static string Who(int i) => i % 4 < 2 ? "bob" : "carol";
        var clicks = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            (i % 2 == 0 ? pair.A : pair.B).ClickAsync(Who(i), card["id"]!.GetValue<string>(), "approve", approve.Data))));

        Assert.Equal(1L, await pair.ScalarAsync<long>("SELECT count(*) FROM drbot_decisions"));
        var counted = Assert.Single(Enumerable.Range(0, 50), i => !clicks[i]["reply"]!["isError"]!.GetValue<bool>());

        // Again on the card that shows that approval: only the other lead's approval counts, once; the gate opens.
        var (_, afterFirst) = await pair.WaitForMessageAsync(m => m["id"]!.GetValue<string>() == card["id"]!.GetValue<string>()
            && CardJson.Text(m["card"]).Contains("1 of 2 so far", StringComparison.Ordinal), Wait);
        var approveSecond = CardJson.Actions(afterFirst["card"]).First(a => a.Verb == "approve");
        var seconds = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            (i % 2 == 0 ? pair.A : pair.B).ClickAsync(Who(i), card["id"]!.GetValue<string>(), "approve", approveSecond.Data))));
        var opened = Assert.Single(Enumerable.Range(0, 50), i => !seconds[i]["reply"]!["isError"]!.GetValue<bool>());
        Assert.NotEqual(Who(counted), Who(opened));
        Assert.Equal(2L, await pair.ScalarAsync<long>("SELECT count(*) FROM drbot_decisions"));
        var run = await WaitForRunAsync(pair, "run-1", r => r.IsFinished, Wait);
        Assert.Equal(RunOutcome.Succeeded, run.Outcome);

        // Let the shortened timers fire for a while on both replicas (status every 2 s, escalations at 2, 4, 8, 12 s).
        var remaining = TimeSpan.FromSeconds(16) - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
            await Task.Delay(remaining);

        var outbox = await pair.OutboxAsync();
        foreach (var incident in new[] { "INC-0001", "INC-0002" })
        {
            // One status post per fired timer occurrence (each occurrence is claimed once in the store).
            // A timer that is still firing has claimed its occurrence but not yet queued its post: read
            // again for a little while, so only a post that never comes (or comes twice) fails.
            long fired = 0, posts = 0;
            for (var read = 0; read < 50; read++)
            {
                fired = await pair.ScalarAsync<long>("SELECT count(*) FROM drbot_idempotency_keys WHERE key LIKE $1", $"timer:status:{incident}:%");
                outbox = await pair.OutboxAsync();
                posts = outbox.Count(m => m.PostKey.StartsWith($"status:{incident}:", StringComparison.Ordinal) && m.Operation == "Post");
                if (fired == posts)
                    break;
                await Task.Delay(100);
            }
            Assert.True(fired >= 4, $"{incident}: only {fired} status timers fired");
            Assert.Equal(fired, posts);
            foreach (var step in new[] { "response", "1", "2", "3" })
                Assert.Single(outbox, m => m.PostKey == $"escalation:{incident}:{step}" && m.Operation == "Post");
        }

        AssertEachSideEffectOnce(pair);
        await AssertEachStepSucceededOnceAsync(pair, run);
        var audit = await pair.Store.ReadAuditAsync(Ct);
        Assert.Single(audit, e => e.Action == "gate-approval-counted");
        Assert.Single(audit, e => e.Action == "gate-approved");
        var verification = AuditChain.Verify(audit);
        Assert.True(verification.Valid, verification.Problem);
        foreach (var incident in new[] { "INC-0001", "INC-0002" })
            Assert.Equal(4, audit.Count(e => e.Action == "incident.escalation" && e.Subject == incident));
    }

    [Fact]
    public async Task A_replica_killed_mid_step_has_its_run_finished_by_the_other_with_every_side_effect_once()
    {
        await using var pair = await ReplicaPair.StartAsync(delayFactor: 1.0);

        await pair.A.SendAsync("bob", "drill region-down east-us");
        await pair.A.SendAsync("alice", "/failover west-us");
        var (owner, card) = await pair.WaitForMessageAsync(HasApprove, Wait);
        var reply = await owner.ApproveOnCardAsync(card["id"]!.GetValue<string>(), Wait, "bob", "carol");
        Assert.False(reply["reply"]!["isError"]!.GetValue<bool>(), reply.ToJsonString());

        // Mid-step: the promotion (2 s of simulated work) is running under some replica's lease. Kill that replica.
        const string interrupted = "promote-database";
        var midStep = await WaitForRunAsync(pair, "run-1", r => r.LeaseOwner is not null && r.Step(interrupted)?.Status == StepStatus.Running, Wait);
        var victim = midStep.LeaseOwner!;
        pair.Bots[victim].Kill();

        var run = await WaitForRunAsync(pair, "run-1", r => r.IsFinished, TimeSpan.FromSeconds(90));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var audit = await pair.Store.ReadAuditAsync(Ct);
        Assert.Contains(audit, e => e.Action == "run-taken-over" && e.Subject == "run-1" && e.Detail.Contains(victim, StringComparison.Ordinal));
        var journal = await pair.Store.GetJournalAsync("run-1", Ct);
        Assert.Contains(journal, j => j.StepId == interrupted && j.Attempt == 2 && j.Phase == JournalPhase.Started);
        AssertEachSideEffectOnce(pair);
        await AssertEachStepSucceededOnceAsync(pair, run);
        var verification = AuditChain.Verify(audit);
        Assert.True(verification.Valid, verification.Problem);
    }

    private static bool HasApprove(JsonObject message) => CardJson.Actions(message["card"]).Any(a => a.Verb == "approve");

    private static void AssertEachSideEffectOnce(ReplicaPair pair)
    {
        var effects = pair.SideEffects();
        var repeated = effects.GroupBy(e => e).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(repeated);
        Assert.Single(effects, e => e.Kind == "database.promote" && e.Region == "west-us");
        Assert.Contains(effects, e => e.Kind == "cluster.scale" && e.Region == "west-us");
    }

    private static async Task AssertEachStepSucceededOnceAsync(ReplicaPair pair, RunRecord run)
    {
        var audit = await pair.Store.ReadAuditAsync(Ct);
        var journal = await pair.Store.GetJournalAsync(run.Id, Ct);
        foreach (var step in run.Steps.Where(s => s.Status == StepStatus.Succeeded))
        {
            Assert.Single(audit, e => e.Action == "step-succeeded" && e.Subject == $"{run.Id}/{step.StepId}");
            Assert.Single(journal, j => j.StepId == step.StepId && j.Phase == JournalPhase.Completed);
        }
    }

    private static async Task<RunRecord> WaitForRunAsync(ReplicaPair pair, string runId, Func<RunRecord, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        RunRecord? run = null;
        while (clock.Elapsed < timeout)
        {
            run = await pair.Store.GetRunAsync(runId, Ct);
            if (run is not null && condition(run))
                return run;
            await Task.Delay(50);
        }
        throw new TimeoutException($"run {runId} never reached the expected state; last: {run?.State} {run?.Outcome} lease {run?.LeaseOwner}.\nA:\n{pair.A.Output}\nB:\n{pair.B.Output}");
    }
}
