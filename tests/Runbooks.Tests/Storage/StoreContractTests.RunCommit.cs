using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    private static RunRecord CommittedRun(string id, int version = 1) =>
        new() { Id = id, Runbook = "region-failover", Region = "west-us", StartedBy = "alice", StartedAt = Start, Version = version };

    [Fact]
    public async Task A_run_commit_saves_the_run_with_its_messages_and_its_claim()
    {
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-1"), [Message("slack", "run:run-1")], claims: ["run-active:a"]), Start, Ct));

        Assert.Equal(1, (await Store.GetRunAsync("run-1", Ct))!.Version);
        Assert.Equal(["run:run-1"], (await Store.ListOutboxAsync(undeliveredOnly: true, Ct)).Select(m => m.PostKey));
        Assert.False(await Store.TryClaimIdempotencyKeyAsync("run-active:a", Start, Ct));
    }

    [Fact]
    public async Task A_run_commit_writes_its_journal_entries_once_and_a_refused_one_writes_none()
    {
        JournalEntry Entry(int version, JournalPhase phase) => new("run-1", "promote", 1, phase, Start.AddSeconds(version), null, $"at version {version}");
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-1"), [], owner: "replica-a") with { Journal = [Entry(1, JournalPhase.Started)] }, Start, Ct));
        Assert.True(await Store.TryLeaseRunAsync("run-1", "replica-a", Start.AddSeconds(30), Start, Ct));

        // Started again (a retried save) is kept as first written; Completed is new.
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-1", 2), [], owner: "replica-a") with { Journal = [Entry(2, JournalPhase.Started), Entry(2, JournalPhase.Completed)] }, Start, Ct));
        // A save by a replica without the lease: its entry is not written either.
        Assert.False(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-1", 3), [], owner: "replica-b") with { Journal = [Entry(3, JournalPhase.Failed)] }, Start, Ct));

        var journal = await Store.GetJournalAsync("run-1", Ct);
        Assert.Equal([(JournalPhase.Started, "at version 1"), (JournalPhase.Completed, "at version 2")], journal.Select(j => (j.Phase, j.Detail)));
    }

    [Fact]
    public async Task A_run_commit_whose_claim_is_held_saves_neither_the_run_nor_its_messages()
    {
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("run-active:a", Start, Ct));

        Assert.False(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-2"), [Message("slack", "run:run-2")], claims: ["run-active:a"]), Start, Ct));

        Assert.Null(await Store.GetRunAsync("run-2", Ct));
        Assert.Equal(0, await Store.CountUndeliveredAsync(Ct));
    }

    [Fact]
    public async Task A_released_claim_can_be_claimed_again_and_the_release_is_saved_with_the_run()
    {
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-1"), [], claims: ["run-active:a"]), Start, Ct));
        var finished = CommittedRun("run-1", version: 2);
        finished.Outcome = RunOutcome.Cancelled;

        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(finished, [], releases: ["run-active:a"]), Start, Ct));

        Assert.True((await Store.GetRunAsync("run-1", Ct))!.IsFinished);
        Assert.True(await Store.TryCommitAsync(StoreCommit.ForRun(CommittedRun("run-3"), [], claims: ["run-active:a"]), Start, Ct));
    }
}
