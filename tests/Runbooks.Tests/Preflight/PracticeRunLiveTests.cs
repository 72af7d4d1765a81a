using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Tests.Engine;
using DrBot.Runbooks.Tests.Infrastructure.Live;
using DrBot.Runbooks.Tests.Infrastructure.Servers;
using Npgsql;

namespace DrBot.Runbooks.Tests.Preflight;

/// <summary>
/// A practice of the whole region failover against the live adapters' servers: every action is replaced
/// by its rehearsal, the gates are decided by people as in a real run, and afterwards every server is as
/// it was — the PostgreSQL pair (roles, settings), both Kubernetes APIs and ARM (resources, and not one
/// request that is not a read).
/// </summary>
[Collection(LiveServersCollection.Name)]
public sealed class PracticeRunLiveTests(LiveServersFixture servers)
{
    [Fact]
    public async Task A_practice_region_failover_against_the_live_servers_describes_every_change_and_makes_none()
    {
        var pair = await servers.NewPostgresPairAsync();
        await using var world = new LiveFailoverWorld(pair);
        var before = await StateAsync(world, pair);

        var engine = world.Harness.Engine;
        var started = await engine.StartAsync(new StartRunRequest("region-failover", "west-us", EngineHarness.Person("alice"), null, "practice-claim", Practice: true), default);
        Assert.True(started.Started, started.Message);
        var run = await engine.AdvanceAsync(started.Run!.Id, default);
        // east-us answers, so "primary really down" fails and asks a lead whether to go on: the gate is practised too.
        Assert.Equal("pre-failover-checks", run.State);
        run = await DecideAsync(engine, run, "bob");
        Assert.Equal("approve-failover", run.State);
        // Region failover's gate takes two leads, in a practice too.
        run = await DecideAsync(engine, run, "bob");
        Assert.Equal("approve-failover", run.State);
        run = await DecideAsync(engine, run, "carol");

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.True(run.Practice);
        Assert.StartsWith("would promote the west-us database to primary (now a replica", run.Step("promote-database")!.Detail, StringComparison.Ordinal);
        Assert.StartsWith("would disable endpoint east-us; would make the east-us database refuse writes", run.Step("fence-old-primary")!.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"would set DATABASE_URL of core-api in west-us to 127.0.0.1:{pair.Replica.Port}/postgres", run.Step("update-connection-string")!.Detail, StringComparison.Ordinal);
        Assert.Contains("would scale core-api (1→3) in ops of west-us", run.Step("scale-up")!.Detail, StringComparison.Ordinal);
        Assert.Contains("quota standby-pods in ops: 1 of 10 pods used, 9 free for 2 more", run.Step("scale-up")!.Detail, StringComparison.Ordinal);
        Assert.Equal("would disable endpoint east-us; would enable endpoint west-us", run.Step("switch-traffic")!.Detail);
        Assert.StartsWith("would post to status-page:", run.Step("status-page")!.Detail, StringComparison.Ordinal);
        Assert.Empty(world.Harness.Notifier.Posts);

        Assert.Empty(world.Writes());
        var after = await StateAsync(world, pair);
        Assert.Equal(before, after);
        var audit = await world.Harness.Get<DrBot.Runbooks.Storage.IDrBotStore>().ReadAuditAsync(default);
        Assert.Contains(audit, e => e.Action == "practice-started" && e.Subject == run.Id && e.Detail.StartsWith("Practice run (nothing changes)", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.Action == "practice-succeeded" && e.Subject == run.Id);
        Assert.DoesNotContain(audit, e => e.Action is "run-started" or "run-succeeded");
    }

    private static async Task<RunRecord> DecideAsync(RunbookEngine engine, RunRecord run, string who)
    {
        var decision = await engine.DecideAsync(new GateDecisionRequest(run.Id, run.State, EngineHarness.Person(who), true, "practice", run.Version), default);
        Assert.True(decision.Applied, decision.Message);
        return await engine.AdvanceAsync(run.Id, default);
    }

    /// <summary>What a failover would change, as the servers hold it: database roles and settings, deployments, endpoints.</summary>
    private static async Task<string> StateAsync(LiveFailoverWorld world, PostgresPair pair)
    {
        var parts = new List<string>
        {
            await DatabaseAsync(pair.Primary),
            await DatabaseAsync(pair.Replica),
            world.Harness.Kubernetes.Deployment(LiveRunbookHarness.Namespace, "core-api").ToJsonString(),
            world.West.Deployment(LiveRunbookHarness.Namespace, "core-api").ToJsonString(),
            world.Arm.Resource(FakeAzureResourceManager.EndpointId("east-us")).ToJsonString(),
            world.Arm.Resource(FakeAzureResourceManager.EndpointId("west-us")).ToJsonString(),
        };
        return string.Join("\n", parts);
    }

    private static async Task<string> DatabaseAsync(PostgresServer server)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT pg_is_in_recovery()::text || ' ' || current_setting('default_transaction_read_only') || ' '
                || COALESCE((SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_file_settings WHERE sourcefile LIKE '%auto.conf'), '') || ' '
                || (SELECT count(*) FROM pg_class WHERE relname LIKE 'drbot%')::text
            """, conn);
        return $"{server.Port}: {await cmd.ExecuteScalarAsync()}";
    }
}
