using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Runs;
using DrBot.Runbooks.Storage;

namespace DrBot.Runbooks.Tests.Storage;

/// <summary>
/// Every save of a run is a compare-and-swap on (lease owner, version): a replica that no longer
/// holds the run's lease, or that saves on a stale version, writes nothing of its commit.
/// </summary>
public abstract partial class StoreContractTests
{
    private static StoreCommit FencedSave(int version, string? owner, string postKey, string? claim = null) =>
        StoreCommit.ForRun(CommittedRun("run-1", version), [Message("slack", postKey)], claims: claim is null ? [] : [claim], owner: owner);

    [Fact]
    public async Task A_run_save_by_a_replica_without_the_lease_writes_nothing_of_its_commit()
    {
        Assert.True(await Store.TryCommitAsync(FencedSave(1, "replica-a", "v1"), Start, Ct));
        Assert.True(await Store.TryLeaseRunAsync("run-1", "replica-a", Start.AddSeconds(30), Start, Ct));

        var refused = await Store.TryCommitAsync(FencedSave(2, "replica-b", "v2-by-b", claim: "claim-by-b"), Start, Ct);

        Assert.False(refused);
        Assert.Equal(1, (await Store.GetRunAsync("run-1", Ct))!.Version);
        Assert.Equal(["v1"], (await Store.ListOutboxAsync(undeliveredOnly: true, Ct)).Select(m => m.PostKey));
        Assert.True(await Store.TryClaimIdempotencyKeyAsync("claim-by-b", Start, Ct));
        Assert.True(await Store.TryCommitAsync(FencedSave(2, "replica-a", "v2-by-a"), Start, Ct));
        Assert.Equal("replica-a", (await Store.GetRunAsync("run-1", Ct))!.LeaseOwner);
    }

    [Fact]
    public async Task A_run_save_on_a_stale_version_is_refused_even_by_the_lease_holder()
    {
        Assert.True(await Store.TryCommitAsync(FencedSave(1, null, "v1"), Start, Ct));
        Assert.True(await Store.TryLeaseRunAsync("run-1", "replica-a", Start.AddSeconds(30), Start, Ct));
        Assert.True(await Store.TryCommitAsync(FencedSave(2, "replica-a", "v2"), Start, Ct));

        Assert.False(await Store.TryCommitAsync(FencedSave(2, "replica-a", "v2-again"), Start, Ct));
        Assert.False(await Store.TryCommitAsync(FencedSave(4, "replica-a", "v4-skipping"), Start, Ct));
        Assert.False(await Store.TryCommitAsync(FencedSave(1, "replica-a", "v1-again"), Start, Ct));

        Assert.Equal(2, (await Store.GetRunAsync("run-1", Ct))!.Version);
        Assert.Equal(["v1", "v2"], (await Store.ListOutboxAsync(undeliveredOnly: true, Ct)).Select(m => m.PostKey));
    }

    [Fact]
    public async Task After_a_takeover_the_old_holder_can_neither_save_nor_renew_and_the_new_one_can()
    {
        Assert.True(await Store.TryCommitAsync(FencedSave(1, null, "v1"), Start, Ct));
        Assert.True(await Store.TryLeaseRunAsync("run-1", "replica-a", Start.AddSeconds(30), Start, Ct));
        Assert.True(await Store.TryRenewRunLeaseAsync("run-1", "replica-a", Start.AddSeconds(40), Ct));
        Assert.False(await Store.TryLeaseRunAsync("run-1", "replica-b", Start.AddSeconds(60), Start.AddSeconds(35), Ct));
        Assert.False(await Store.TryRenewRunLeaseAsync("run-1", "replica-b", Start.AddSeconds(60), Ct));

        // replica-a pauses past its lease; replica-b takes the run over.
        Assert.True(await Store.TryLeaseRunAsync("run-1", "replica-b", Start.AddSeconds(70), Start.AddSeconds(41), Ct));

        Assert.False(await Store.TryRenewRunLeaseAsync("run-1", "replica-a", Start.AddSeconds(80), Ct));
        Assert.False(await Store.TryCommitAsync(FencedSave(2, "replica-a", "v2-by-a"), Start, Ct));
        Assert.True(await Store.TryCommitAsync(FencedSave(2, "replica-b", "v2-by-b"), Start, Ct));
        var stored = (await Store.GetRunAsync("run-1", Ct))!;
        Assert.Equal(("replica-b", Start.AddSeconds(70), 2), (stored.LeaseOwner, stored.LeaseUntil, stored.Version));

        // Released, the run is written only by a writer that names no lease (and renewed by nobody).
        await Store.ReleaseRunLeaseAsync("run-1", "replica-b", Ct);
        Assert.False(await Store.TryRenewRunLeaseAsync("run-1", "replica-b", Start.AddSeconds(80), Ct));
        Assert.False(await Store.TryCommitAsync(FencedSave(3, "replica-b", "v3-by-b"), Start, Ct));
        Assert.Equal(["v1", "v2-by-b"], (await Store.ListOutboxAsync(undeliveredOnly: true, Ct)).Select(m => m.PostKey));
    }
}
