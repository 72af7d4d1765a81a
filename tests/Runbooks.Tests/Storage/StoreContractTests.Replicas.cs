using DrBot.Runbooks.Incidents;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task An_optimistic_incident_update_succeeds_on_the_loaded_version_and_fails_on_a_stale_one()
    {
        await Store.SaveIncidentAsync(NewIncident("INC-0001", Start), Ct);
        var first = (await Store.GetIncidentAsync("INC-0001", Ct))!;
        var second = (await Store.GetIncidentAsync("INC-0001", Ct))!;

        first.Commander = "alice";
        Assert.True(await Store.TryUpdateIncidentAsync(first, first.Version, Ct));
        second.Severity = "P2";
        var staleSaved = await Store.TryUpdateIncidentAsync(second, second.Version, Ct);

        Assert.False(staleSaved);
        var stored = (await Store.GetIncidentAsync("INC-0001", Ct))!;
        Assert.Equal(1, stored.Version);
        Assert.Equal("alice", stored.Commander);
        Assert.Equal("P1", stored.Severity);
        Assert.False(await Store.TryUpdateIncidentAsync(NewIncident("INC-0404", Start), 0, Ct));
    }

    [Fact]
    public async Task Concurrent_optimistic_incident_updates_that_retry_lose_no_change()
    {
        await Store.SaveIncidentAsync(NewIncident("INC-0001", Start), Ct);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            while (true)
            {
                var incident = (await Store.GetIncidentAsync("INC-0001", Ct))!;
                incident.Timeline.Add(new TimelineEvent(Start, "update", $"writer {i}", null));
                if (await Store.TryUpdateIncidentAsync(incident, incident.Version, Ct))
                {
                    return;
                }
            }
        })));

        var stored = (await Store.GetIncidentAsync("INC-0001", Ct))!;
        Assert.Equal(10, stored.Version);
        Assert.Equal(11, stored.Timeline.Count);
    }

    [Fact]
    public async Task A_run_lease_is_granted_to_its_owner_and_released_by_it()
    {
        await SaveNewAsync(NewRun("R-1", Start));

        Assert.True(await Store.TryLeaseRunAsync("R-1", "replica-a", Start.AddSeconds(30), Start, Ct));
        Assert.True(await Store.TryLeaseRunAsync("R-1", "replica-a", Start.AddSeconds(40), Start.AddSeconds(10), Ct));
        var leased = (await Store.GetRunAsync("R-1", Ct))!;
        Assert.Equal("replica-a", leased.LeaseOwner);
        Assert.Equal(Start.AddSeconds(40), leased.LeaseUntil);

        await Store.ReleaseRunLeaseAsync("R-1", "replica-a", Ct);
        Assert.Null((await Store.GetRunAsync("R-1", Ct))!.LeaseOwner);
        Assert.False(await Store.TryLeaseRunAsync("R-404", "replica-a", Start.AddSeconds(30), Start, Ct));
    }
}
