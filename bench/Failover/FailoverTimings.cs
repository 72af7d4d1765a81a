using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics;
using System.Globalization;
using DrBot.Runbooks.Infrastructure.Failover;
using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Live;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Npgsql;
using DrBot.Runbooks.Runs;

namespace DrBot.Bench.Failover;

/// <summary>
/// Approval to "new primary accepts writes", the bot's way (the database-failover runbook in Live
/// mode: engine, store writes, lag re-check, pg_promote, write verification) and the bare way
/// (<c>SELECT pg_promote(true, 60)</c> on an identical pair), and the server's own promotion time. In
/// each the primary is killed first and a client already connected to the replica polls an INSERT.
/// </summary>
internal static class FailoverTimings
{
    public static async Task<TimeSpan> BotAsync(PostgresPairs pairs, bool trace, CancellationToken cancellationToken)
    {
        var pair = await pairs.NewAsync(cancellationToken);
        var dir = Directory.CreateTempSubdirectory("drbot-bench-engine-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DrBot:Infrastructure:Mode"] = "Live",
            ["DrBot:Infrastructure:SimulatedStatePath"] = "",
            ["DrBot:Infrastructure:SimulatedDelayFactor"] = "0",
            ["DrBot:Regions:east-us:Role"] = "primary",
            ["DrBot:Regions:east-us:Database:ConnectionString"] = pair.Primary.BotConnectionString,
            ["DrBot:Regions:west-us:Role"] = "secondary",
            ["DrBot:Regions:west-us:Database:ConnectionString"] = pair.Replica.BotConnectionString,
            // The application is repointed (in the simulated cluster) to the configured URL, checked by connecting.
            ["DrBot:Regions:east-us:Cluster:Namespace"] = "policycortex",
            ["DrBot:Regions:west-us:Database:ApplicationUrl"] = $"postgresql://postgres@127.0.0.1:{pair.Replica.Port}/postgres",
            ["DrBot:People:alice:Roles:0"] = "oncall",
            ["DrBot:People:bob:Roles:0"] = "lead",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddDrBotOptions(configuration);
        services.AddSingleton(_ => new LiteDbStore(Path.Combine(dir, "drbot.db"), TimeProvider.System));
        services.AddSingleton<IDrBotStore>(sp => sp.GetRequiredService<LiteDbStore>());
        services.AddSimulatedInfrastructure();
        services.AddLiveInfrastructure();
        // Only the database is measured: the connection-string switch goes to the (instant) simulated cluster.
        services.Replace(ServiceDescriptor.Singleton<IClusterManager, SimulatedCluster>());
        services.Replace(ServiceDescriptor.Singleton<ITrafficRouter, SimulatedTraffic>());
        services.AddSingleton<IRunbookNotifier, QuietNotifier>();
        services.AddRunbookEngine();
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<RunbookEngine>();

        // As in a running bot: the heartbeat has been written to the old primary and acknowledged.
        var ledger = provider.GetRequiredService<HeartbeatLedger>();
        ledger.Interval = TimeSpan.FromSeconds(1);
        var beat = await provider.GetRequiredService<IDatabaseHeartbeat>().WriteAsync("east-us", cancellationToken)
            ?? throw new InvalidOperationException("east-us did not take a heartbeat");
        await ledger.AcknowledgedAsync("east-us", beat, cancellationToken);

        var started = await engine.StartAsync(new StartRunRequest("database-failover", "west-us", Person("alice"), null), cancellationToken);
        var run = await engine.AdvanceAsync(started.Run!.Id, cancellationToken);
        if (run.State != "approve-promotion")
            throw new InvalidOperationException($"the run stopped at {run.State}: {run.OutcomeReason}");
        await using var probe = await PostgresPairs.ProbeAsync(pair.Replica, cancellationToken);
        await probe.KillPrimaryAsync(pair, cancellationToken);

        var approvedAt = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var decided = await engine.DecideAsync(new GateDecisionRequest(run.Id, run.State, Person("bob"), true, "bench", null), cancellationToken);
        if (!decided.Applied)
            throw new InvalidOperationException(decided.Message);
        var advance = engine.AdvanceAsync(run.Id, cancellationToken);
        await probe.WaitForWritesAsync(cancellationToken);
        var elapsed = clock.Elapsed;
        run = await advance;
        if (run.Outcome != RunOutcome.Succeeded)
            throw new InvalidOperationException($"the run ended {run.Outcome}: {run.OutcomeReason}");
        if (trace)
        {
            foreach (var entry in await provider.GetRequiredService<IDrBotStore>().GetJournalAsync(run.Id, cancellationToken))
                if (entry.At >= approvedAt)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(entry.At - approvedAt).TotalMilliseconds,6:F0} ms  {entry.StepId} {entry.Phase}: {entry.Detail}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {elapsed.TotalMilliseconds,6:F0} ms  a client's INSERT commits on {pair.Replica.Port}"));
        }
        try { Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        return elapsed;
    }

    /// <summary>The anchor: <c>SELECT pg_promote()</c> (it waits for the promotion, polling every 100 ms), then a client's INSERT.</summary>
    public static Task<TimeSpan> BareAsync(PostgresPairs pairs, CancellationToken cancellationToken) =>
        PromoteByHandAsync(pairs, "SELECT pg_promote(true, 60)", "pg_promote did not finish within 60 s", cancellationToken);

    /// <summary>The server's own promotion time: <c>pg_promote(false)</c> signals it, a client polls an INSERT every 2 ms meanwhile.</summary>
    public static Task<TimeSpan> FloorAsync(PostgresPairs pairs, CancellationToken cancellationToken) =>
        PromoteByHandAsync(pairs, "SELECT pg_promote(false)", "pg_promote could not signal the promotion", cancellationToken);

    /// <summary>A fresh pair, its primary killed, then <paramref name="promote"/> on the replica: the time until it accepts writes.</summary>
    private static async Task<TimeSpan> PromoteByHandAsync(PostgresPairs pairs, string promote, string refused, CancellationToken cancellationToken)
    {
        var pair = await pairs.NewAsync(cancellationToken);
        await using var conn = new NpgsqlConnection(pair.Replica.ConnectionString);
        await conn.OpenAsync(cancellationToken);
        await using var probe = await PostgresPairs.ProbeAsync(pair.Replica, cancellationToken);
        await probe.KillPrimaryAsync(pair, cancellationToken);

        var clock = Stopwatch.StartNew();
        await using var cmd = new NpgsqlCommand(promote, conn);
        if (!(bool)(await cmd.ExecuteScalarAsync(cancellationToken))!)
            throw new InvalidOperationException(refused);
        await probe.WaitForWritesAsync(cancellationToken);
        return clock.Elapsed;
    }
    private static Actor Person(string name) => new(name, name, "local", name);

    private sealed class QuietNotifier : IRunbookNotifier
    {
        public Task NotifyAsync(string runId, string? incidentId, string audience, string text, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
