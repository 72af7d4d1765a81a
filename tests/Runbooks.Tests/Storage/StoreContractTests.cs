using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Storage;
using Microsoft.Extensions.Time.Testing;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IDrBotStore"/> must have. A store implementation subclasses this
/// with a factory that gives each test a fresh, empty store; xunit runs every test for it.
/// </summary>
public abstract partial class StoreContractTests : IDisposable
{
    private readonly Lazy<IDrBotStore> _store;

    protected StoreContractTests() => _store = new Lazy<IDrBotStore>(() => CreateStore(Time), LazyThreadSafetyMode.ExecutionAndPublication);

    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    protected IDrBotStore Store => _store.Value;

    /// <summary>A fresh, empty store for one test.</summary>
    protected abstract IDrBotStore CreateStore(TimeProvider time);

    protected static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_store.IsValueCreated)
            {
                (_store.Value as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>Stores a new run (version 1) the only way runs are written: a fenced commit.</summary>
    private async Task SaveNewAsync(RunRecord run) => Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(run, []), Start, Ct));

    private static RunRecord NewRun(string id, DateTimeOffset startedAt) => new()
    {
        Id = id,
        Runbook = "region-failover",
        Region = "west-us",
        FromRegion = "east-us",
        StartedBy = "alice",
        StartedByChannel = "local",
        StartedAt = startedAt,
        State = "promote-database",
        Version = 1,
        Steps = [new StepRecord { StepId = "checks", Title = "Pre-failover checks", Status = StepStatus.Succeeded, Attempts = 1, Checks = [new CheckResult("lag", "Replication lag", true, "12 s")] }],
        Facts = { ["replication_lag_seconds"] = "12" },
    };

    [Fact]
    public async Task A_saved_run_reads_back_with_its_steps_and_case_insensitive_facts()
    {
        await SaveNewAsync(NewRun("R-1", Start));

        var run = await Store.GetRunAsync("R-1", Ct);

        Assert.NotNull(run);
        Assert.Equal("promote-database", run.State);
        Assert.Equal(1, run.Version);
        Assert.Equal(StepStatus.Succeeded, run.Step("checks")!.Status);
        Assert.Equal("12 s", run.Steps[0].Checks[0].Detail);
        Assert.Equal("12", run.Facts["REPLICATION_LAG_SECONDS"]);
        Assert.Null(await Store.GetRunAsync("R-404", Ct));
    }

    [Fact]
    public async Task Saving_a_run_again_replaces_it_and_unfinished_listing_leaves_out_finished_runs()
    {
        var run = NewRun("R-1", Start);
        await SaveNewAsync(run);
        await SaveNewAsync(NewRun("R-2", Start.AddMinutes(1)));
        run.Outcome = RunOutcome.Succeeded;
        run.State = RunStates.Succeeded;
        run.Version++;
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(run, []), Start, Ct));

        var all = await Store.ListRunsAsync(unfinishedOnly: false, Ct);
        var unfinished = await Store.ListRunsAsync(unfinishedOnly: true, Ct);

        Assert.Equal(["R-1", "R-2"], all.Select(r => r.Id));
        Assert.Equal(RunOutcome.Succeeded, all[0].Outcome);
        Assert.Equal(["R-2"], unfinished.Select(r => r.Id));
    }

    [Fact]
    public async Task Runs_are_counted_by_outcome_as_they_are_saved_again()
    {
        var finishing = NewRun("R-1", Start);
        await SaveNewAsync(finishing);
        await SaveNewAsync(NewRun("R-2", Start.AddMinutes(1)));
        await SaveNewAsync(NewRun("R-3", Start.AddMinutes(2)));
        finishing.Outcome = RunOutcome.RolledBack;
        finishing.Version++;
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(finishing, []), Start, Ct));

        var counts = await Store.CountRunsByOutcomeAsync(Ct);

        Assert.Equal(2, counts[RunOutcome.None]);
        Assert.Equal(1, counts[RunOutcome.RolledBack]);
        Assert.Equal(0, counts[RunOutcome.Succeeded]);
        Assert.Equal(Enum.GetValues<RunOutcome>().Length, counts.Count);
    }

    [Fact]
    public async Task A_journal_entry_is_recorded_once_per_run_step_attempt_and_phase()
    {
        var started = new JournalEntry("R-1", "promote", 1, JournalPhase.Started, Start);

        Assert.True(await Store.TryAppendJournalAsync(started, Ct));
        Assert.False(await Store.TryAppendJournalAsync(started with { At = Start.AddSeconds(5), Detail = "again" }, Ct));
        Assert.True(await Store.TryAppendJournalAsync(started with { Phase = JournalPhase.Completed, Outcome = "ok" }, Ct));
        Assert.True(await Store.TryAppendJournalAsync(started with { Attempt = 2 }, Ct));
        Assert.True(await Store.TryAppendJournalAsync(started with { RunId = "R-2" }, Ct));

        var journal = await Store.GetJournalAsync("R-1", Ct);

        Assert.Equal(3, journal.Count);
        Assert.Equal([JournalPhase.Started, JournalPhase.Completed, JournalPhase.Started], journal.Select(j => j.Phase));
        Assert.Null(journal[0].Detail);
        Assert.Equal("ok", journal[1].Outcome);
    }

    [Fact]
    public async Task The_first_decision_on_a_gate_wins_and_a_second_is_refused()
    {
        var first = new GateDecision("R-1", "approve-failover", true, "bob", "Bob", "slack", Start, "go");
        var second = first with { Approved = false, DecidedBy = "carol", DisplayName = "Carol" };

        Assert.True(await Store.TryRecordDecisionAsync(first, Ct));
        Assert.False(await Store.TryRecordDecisionAsync(second, Ct));
        Assert.True(await Store.TryRecordDecisionAsync(first with { StepId = "accept-data-loss" }, Ct));

        var decided = await Store.GetDecisionAsync("R-1", "approve-failover", Ct);
        Assert.Equal(first, decided);
        Assert.Null(await Store.GetDecisionAsync("R-1", "unknown-gate", Ct));
        Assert.Equal(["approve-failover", "accept-data-loss"], (await Store.GetDecisionsAsync("R-1", Ct)).Select(d => d.StepId));
    }

    [Fact]
    public async Task One_hundred_concurrent_decisions_on_one_gate_record_exactly_one()
    {
        var attempts = Enumerable.Range(0, 100).Select(i => Task.Run(() => Store.TryRecordDecisionAsync(
            new GateDecision("R-1", "approve-failover", i % 2 == 0, $"lead-{i}", $"Lead {i}", "teams", Start.AddMilliseconds(i), null), Ct)));

        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(r => r));
        var recorded = await Store.GetDecisionAsync("R-1", "approve-failover", Ct);
        Assert.NotNull(recorded);
        Assert.Single(await Store.GetDecisionsAsync("R-1", Ct));
    }

    [Fact]
    public async Task An_idempotency_key_is_claimed_only_the_first_time()
    {
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("slack:evt-1", Start, Ct));
        Assert.False(await Store.TryClaimIdempotencyKeyAsync("slack:evt-1", Start.AddSeconds(3), Ct));
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("slack:evt-2", Start, Ct));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_idempotency_key_let_exactly_one_through()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => Store.TryClaimIdempotencyKeyAsync("teams:activity-9", Start, Ct))));

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task A_value_is_stored_replaced_and_read_by_key()
    {
        Assert.Null(await Store.GetValueAsync("teams:conversation", Ct));
        await Store.SetValueAsync("teams:conversation", "{\"id\":\"a\"}", Ct);
        await Store.SetValueAsync("teams:conversation", "{\"id\":\"b\"}", Ct);

        Assert.Equal("{\"id\":\"b\"}", await Store.GetValueAsync("teams:conversation", Ct));
    }
}
