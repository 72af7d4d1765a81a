using System.Reflection;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Executors;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>
/// Two engines (replicas A and B) on one store, each with its own clock. A's step outlives its lease
/// (A is paused: its clock stands still, so it does not renew), B takes the run over; whatever A does
/// after that is refused by the lease fence, and A stops executing the run.
/// </summary>
public abstract partial class LeaseFencingTests : IAsyncLifetime
{
    private const string Runbook = "fenced";
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
    private readonly List<ServiceProvider> _replicas = [];

    protected LeaseFencingTests()
    {
        A = new Replica("replica-a");
        B = new Replica("replica-b");
    }

    private Replica A { get; }
    private Replica B { get; }

    /// <summary>The store replica <paramref name="name"/> uses (one shared instance, or one per replica on a shared database).</summary>
    protected abstract Task<IDrBotStore> StoreForAsync(string name, TimeProvider time);

    public virtual async Task InitializeAsync()
    {
        foreach (var replica in new[] { A, B })
        {
            var flaky = DispatchProxy.Create<IDrBotStore, FlakyRenewals>();
            ((FlakyRenewals)(object)flaky).Inner = await StoreForAsync(replica.Name, replica.Time);
            replica.Renewals = (FlakyRenewals)(object)flaky;
            var services = Build(replica, flaky);
            _replicas.Add(services);
            replica.Engine = services.GetRequiredService<RunbookEngine>();
            replica.Store = services.GetRequiredService<IDrBotStore>();
        }
    }

    [Fact]
    public async Task A_step_that_outlives_its_lease_cannot_overwrite_a_cancel_made_through_the_replica_that_took_over()
    {
        var started = await A.Engine.StartAsync(new StartRunRequest(Runbook, "west-us", Person("alice"), "INC-1"), CancellationToken.None);
        Assert.True(started.Started, started.Message);
        var runId = started.Run!.Id;
        var advancing = Task.Run(() => A.Engine.AdvanceAsync(runId, CancellationToken.None));
        await A.SlowStep.Entered.Task;

        B.Time.Advance(TimeSpan.FromSeconds(31)); // past A's 30 s lease, which A (paused) did not renew
        var cancelled = await B.Engine.CancelAsync(runId, Person("bob"), "stop the failover", CancellationToken.None);
        Assert.Equal(RunOutcome.Cancelled, cancelled!.Outcome);
        A.SlowStep.Release.SetResult(); // A wakes up: its step succeeded, and it tries to save and go on

        var seenByA = await advancing;

        var stored = (await B.Store.GetRunAsync(runId, CancellationToken.None))!;
        Assert.Equal(RunOutcome.Cancelled, seenByA.Outcome);
        Assert.Equal((RunOutcome.Cancelled, RunStates.Cancelled, cancelled.Version), (stored.Outcome, stored.State, stored.Version));
        Assert.Equal(0, A.NextStep.Calls + B.NextStep.Calls);
        var journal = await B.Store.GetJournalAsync(runId, CancellationToken.None);
        Assert.DoesNotContain(journal, e => e.StepId == "next");
        // A's step "completed" is journalled with the save that was refused, so it is not there either.
        Assert.DoesNotContain(journal, e => e.Phase == JournalPhase.Completed);
        // Nothing of A's refused commit was written: the outbox holds only the changes that were saved.
        var posts = (await B.Store.ListOutboxAsync(undeliveredOnly: false, CancellationToken.None)).Select(m => m.PostKey).ToList();
        Assert.Equal(["v1:started", "v2:step-started", "v3:finished"], posts);
        Assert.Contains(LogEvents.RunExecutionStopped, A.Log.EventIds);
        Assert.DoesNotContain(LogEvents.RunExecutionStopped, B.Log.EventIds);
    }

    [Fact]
    public async Task A_refused_lease_renewal_stops_the_local_step_and_no_further_step_runs_there()
    {
        var started = await A.Engine.StartAsync(new StartRunRequest(Runbook, "west-us", Person("alice"), "INC-1"), CancellationToken.None);
        var runId = started.Run!.Id;
        var advancing = Task.Run(() => A.Engine.AdvanceAsync(runId, CancellationToken.None));
        await A.SlowStep.Entered.Task;
        // B's clock says A's lease has expired (A was paused), so B takes the run over.
        Assert.True(await B.Store.TryLeaseRunAsync(runId, B.Name, Start.AddMinutes(5), Start.AddSeconds(31), CancellationToken.None));

        A.Time.Advance(TimeSpan.FromSeconds(10)); // A wakes up and its renewal is due: refused
        var seenByA = await advancing;

        Assert.True(await A.SlowStep.Cancelled.Task);
        Assert.False(seenByA.IsFinished);
        Assert.Equal(("slow", B.Name, 2), (seenByA.State, seenByA.LeaseOwner, seenByA.Version));
        Assert.Equal(0, A.NextStep.Calls);
        Assert.Contains(LogEvents.RunLeaseLost, A.Log.EventIds);
        Assert.Contains(LogEvents.RunExecutionStopped, A.Log.EventIds);

        // The holder carries on from the step A left running (it re-verifies it) and finishes the run.
        await B.Store.ReleaseRunLeaseAsync(runId, B.Name, CancellationToken.None);
        B.SlowStep.Release.SetResult();
        var finished = await B.Engine.AdvanceAsync(runId, CancellationToken.None);
        Assert.Equal(RunOutcome.Succeeded, finished.Outcome);
        Assert.Equal((0, 1), (A.NextStep.Calls, B.NextStep.Calls));
    }

    [Fact]
    public async Task A_renewal_the_store_does_not_answer_is_tried_again_and_the_run_goes_on()
    {
        var started = await A.Engine.StartAsync(new StartRunRequest(Runbook, "west-us", Person("alice"), "INC-1"), CancellationToken.None);
        var runId = started.Run!.Id;
        A.Renewals.FailuresLeft = 1;
        var advancing = Task.Run(() => A.Engine.AdvanceAsync(runId, CancellationToken.None));
        await A.SlowStep.Entered.Task;

        A.Time.Advance(TimeSpan.FromSeconds(10)); // the store does not answer this renewal
        await WaitUntilAsync(() => A.Renewals.Calls == 1);
        A.Time.Advance(TimeSpan.FromSeconds(10)); // this one succeeds: the lease runs to 20 s + 30 s
        await WaitUntilAsync(() => A.Renewals.Calls == 2);
        Assert.Equal(Start.AddSeconds(50), (await B.Store.GetRunAsync(runId, CancellationToken.None))!.LeaseUntil);
        A.SlowStep.Release.SetResult();
        var finished = await advancing;

        Assert.Equal(RunOutcome.Succeeded, finished.Outcome);
        Assert.Equal(1, A.NextStep.Calls);
        Assert.Contains(LogEvents.RunLeaseRenewalFailed, A.Log.EventIds);
        Assert.DoesNotContain(LogEvents.RunLeaseLost, A.Log.EventIds);
        Assert.DoesNotContain(LogEvents.RunExecutionStopped, A.Log.EventIds);
    }

    private static Actor Person(string name) => new(name, name, "local", name);

    /// <summary>Waits for background work the test cannot be told about (a renewal loop), giving up after a minute.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 6000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "the condition did not hold within a minute");
    }

    private static ServiceProvider Build(Replica replica, IDrBotStore store)
    {
        var options = new DrBotOptions();
        options.Infrastructure.SimulatedDelayFactor = 0;
        options.Regions["east-us"] = new RegionOptions { Role = "primary", DisplayName = "East US" };
        options.Regions["west-us"] = new RegionOptions { Role = "secondary", DisplayName = "West US" };
        options.People["alice"] = new PersonOptions { Roles = [Roles.OnCall] };
        options.People["bob"] = new PersonOptions { Roles = [Roles.Lead] };
        options.Runbooks[Runbook] = new RunbookDefinitionOptions
        {
            Title = "Fenced",
            Steps =
            [
                new() { Id = "slow", Title = "A step that outlives its lease", Kind = "action", Executor = SlowStep.Name },
                new() { Id = "next", Title = "The step after it", Kind = "action", Executor = CountingStep.Name },
            ],
        };
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(replica.Time);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.Configure<RunbookEngineOptions>(o =>
        {
            o.ReplicaId = replica.Name;
            o.RunLease = TimeSpan.FromSeconds(30);
            o.RetryBaseDelay = TimeSpan.Zero;
        });
        services.AddSingleton(store);
        var world = new SimulatedWorld(options, replica.Time);
        services.AddSingleton(world);
        services.AddSingleton<IDatabaseReplica, SimulatedDatabase>();
        services.AddSingleton<IClusterManager, SimulatedCluster>();
        services.AddSingleton<ITrafficRouter, SimulatedTraffic>();
        services.AddSingleton<IHealthProbe, SimulatedHealthProbe>();
        services.AddSingleton<ICacheReplica, SimulatedCache>();
        services.AddSingleton<SimulatedFailoverSupport>();
        services.AddSingleton<IDatabaseFence>(sp => sp.GetRequiredService<SimulatedFailoverSupport>());
        services.AddSingleton<IDatabaseHeartbeat>(sp => sp.GetRequiredService<SimulatedFailoverSupport>());
        services.AddSingleton<IRunbookNotifier>(new RecordingNotifier());
        services.AddSingleton<IRunProjection>(new PostPerChange());
        services.AddSingleton<ILogger<RunbookEngine>>(replica.Log);
        services.AddStepExecutor(SlowStep.Name, _ => replica.SlowStep);
        services.AddStepExecutor(CountingStep.Name, _ => replica.NextStep);
        services.AddRunbookEngine();
        return services.BuildServiceProvider();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var services in _replicas)
        {
            await services.DisposeAsync();
        }
    }

    private sealed class Replica(string name)
    {
        public string Name => name;
        public FakeTimeProvider Time { get; } = new(Start);
        public SlowStep SlowStep { get; } = new();
        public CountingStep NextStep { get; } = new();
        public RecordingLog Log { get; } = new();
        public FlakyRenewals Renewals { get; set; } = null!;
        public RunbookEngine Engine { get; set; } = null!;
        public IDrBotStore Store { get; set; } = null!;
    }
}

/// <summary>The fencing contract on LiteDB: both engines in one process on one file (one store instance).</summary>
public sealed class LiteDbLeaseFencingTests : LeaseFencingTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-fence-" + Guid.NewGuid().ToString("N"));
    private DrBot.Runbooks.Storage.LiteDb.LiteDbStore? _store;

    protected override Task<IDrBotStore> StoreForAsync(string name, TimeProvider time) =>
        Task.FromResult<IDrBotStore>(_store ??= new DrBot.Runbooks.Storage.LiteDb.LiteDbStore(Path.Combine(_folder, "drbot.db"), time));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _store?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The fencing contract on a real PostgreSQL server: one store (connection pool) per replica on one database.</summary>
[Collection(Storage.PostgresStoreCollection.Name)]
public sealed class PostgresLeaseFencingTests(Storage.PostgresServerFixture fixture) : LeaseFencingTests
{
    private readonly List<DrBot.Runbooks.Storage.Postgres.PostgresStore> _stores = [];
    private string? _connectionString;

    protected override async Task<IDrBotStore> StoreForAsync(string name, TimeProvider time)
    {
        _connectionString ??= await fixture.Postgres.NewSchemaAsync();
        var store = new DrBot.Runbooks.Storage.Postgres.PostgresStore(_connectionString, time);
        _stores.Add(store);
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }
}
