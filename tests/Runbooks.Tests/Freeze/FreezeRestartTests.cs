using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.Postgres;
using DrBot.Runbooks.Tests.Engine;
using DrBot.Runbooks.Tests.Storage;

namespace DrBot.Runbooks.Tests.Freeze;

/// <summary>
/// A freeze is in the store, not in a process: after a restart (a new engine on a new store instance
/// over the same data) runs still do not start and a held run still waits. Run on each store.
/// </summary>
public abstract class FreezeRestartTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly Lazy<EngineHarness> _h;
    private readonly RecordingQueue _queue = new();

    protected FreezeRestartTests(Func<TimeProvider, IDrBotStore>? openStore) =>
        _h = new Lazy<EngineHarness>(() => new EngineHarness(openStore: openStore));

    public void Dispose()
    {
        if (_h.IsValueCreated)
        {
            _h.Value.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_freeze_survives_a_restart_and_still_holds_runs_and_refuses_starts()
    {
        var h = _h.Value;
        var run = await h.StartAsync(BuiltInRunbooks.DatabaseFailover, "west-us");
        run = await h.Engine.AdvanceAsync(run.Id, None);
        await FreezeTests.Service(h, _queue).FreezeAsync(EngineHarness.Person("bob"), "storage vendor maintenance", None);
        Assert.True((await h.DecideAsync(run, "approve-promotion", "carol")).Applied);

        h.Restart();

        var resumed = await h.Engine.ResumeUnfinishedAsync(None);
        run = (await h.Store.GetRunAsync(run.Id, None))!;
        Assert.Contains(run.Id, resumed);
        Assert.False(run.IsFinished);
        Assert.Equal(StepStatus.Pending, run.Step(run.State)!.Status);
        var refused = await h.Engine.StartAsync(new StartRunRequest(BuiltInRunbooks.ApplicationFailover, "west-us", EngineHarness.Person("alice"), "INC-1"), None);
        Assert.False(refused.Started);
        Assert.Contains("frozen by bob: storage vendor maintenance", refused.Message, StringComparison.Ordinal);

        Assert.True((await FreezeTests.Service(h, _queue).UnfreezeAsync(EngineHarness.Person("carol"), None)).Ok);
        Assert.Equal(RunOutcome.Succeeded, (await h.RunToEndAsync(run)).Outcome);
    }
}

public sealed class LiteDbFreezeRestartTests() : FreezeRestartTests(null);

[Collection(PostgresStoreCollection.Name)]
public sealed class PostgresFreezeRestartTests : FreezeRestartTests
{
    public PostgresFreezeRestartTests(PostgresServerFixture fixture)
        : this(fixture.Postgres.NewSchema())
    {
    }

    private readonly string _connectionString;

    private PostgresFreezeRestartTests(string connectionString)
        : base(time => new PostgresStore(connectionString, time)) =>
        _connectionString = connectionString;

    [Fact]
    public async Task A_freeze_on_one_replica_holds_on_another_and_unfreeze_there_releases_both()
    {
        var queue = new RecordingQueue();
        using var first = new EngineHarness(openStore: time => new PostgresStore(_connectionString, time));
        using var second = new EngineHarness(openStore: time => new PostgresStore(_connectionString, time));
        var run = await second.Engine.AdvanceAsync((await second.StartAsync(BuiltInRunbooks.DatabaseFailover, "west-us")).Id, CancellationToken.None);

        await FreezeTests.Service(first, queue).FreezeAsync(EngineHarness.Person("bob"), "one lever for all replicas", CancellationToken.None);
        Assert.True((await second.DecideAsync(run, "approve-promotion", "carol")).Applied);
        var held = await second.Engine.AdvanceAsync(run.Id, CancellationToken.None);
        var refused = await second.Engine.StartAsync(new StartRunRequest(BuiltInRunbooks.ApplicationFailover, "west-us", EngineHarness.Person("alice"), "INC-1"), CancellationToken.None);

        Assert.Equal(StepStatus.Pending, held.Step(held.State)!.Status);
        Assert.Contains("frozen by bob: one lever for all replicas", refused.Message, StringComparison.Ordinal);

        Assert.True((await FreezeTests.Service(second, queue).UnfreezeAsync(EngineHarness.Person("carol"), CancellationToken.None)).Ok);
        Assert.True((await first.Engine.StartAsync(new StartRunRequest(BuiltInRunbooks.ApplicationFailover, "west-us", EngineHarness.Person("alice"), "INC-1"), CancellationToken.None)).Started);
    }
}
