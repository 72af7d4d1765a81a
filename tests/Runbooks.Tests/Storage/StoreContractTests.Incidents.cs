using DrBot.Runbooks.Incidents;

namespace DrBot.Runbooks.Tests.Storage;

public abstract partial class StoreContractTests
{
    private static Incident NewIncident(string id, DateTimeOffset openedAt) => new()
    {
        Id = id,
        Title = "East US down",
        Severity = "P1",
        State = IncidentState.Open,
        Region = "east-us",
        Services = ["core-api", "auth-service"],
        OpenedBy = "alice",
        OpenedAt = openedAt,
        FailureStartedAt = openedAt.AddMinutes(-3),
        MeasuredRpo = TimeSpan.FromSeconds(42),
        AlertIds = ["A-1"],
        Timeline = [new TimelineEvent(openedAt, "opened", "Incident opened", "alice")],
    };

    [Fact]
    public async Task A_saved_incident_reads_back_with_its_timeline_and_times()
    {
        await Store.SaveIncidentAsync(NewIncident("INC-0001", Start), Ct);

        var incident = await Store.GetIncidentAsync("INC-0001", Ct);

        Assert.NotNull(incident);
        Assert.Equal("P1", incident.Severity);
        Assert.Equal(["core-api", "auth-service"], incident.Services);
        Assert.Equal(Start.AddMinutes(-3), incident.FailureStartedAt);
        Assert.Equal(TimeSpan.FromSeconds(42), incident.MeasuredRpo);
        Assert.Equal("Incident opened", Assert.Single(incident.Timeline).Text);
        Assert.Null(await Store.GetIncidentAsync("INC-9999", Ct));
    }

    [Fact]
    public async Task Open_incident_listing_leaves_out_resolved_and_closed_ones()
    {
        var first = NewIncident("INC-0001", Start);
        await Store.SaveIncidentAsync(first, Ct);
        await Store.SaveIncidentAsync(NewIncident("INC-0002", Start.AddMinutes(5)), Ct);
        first.State = IncidentState.Resolved;
        await Store.SaveIncidentAsync(first, Ct);

        Assert.Equal(["INC-0002"], (await Store.ListIncidentsAsync(openOnly: true, Ct)).Select(i => i.Id));
        Assert.Equal(["INC-0001", "INC-0002"], (await Store.ListIncidentsAsync(openOnly: false, Ct)).Select(i => i.Id));
    }

    [Fact]
    public async Task Sequences_count_from_one_per_counter_without_gaps_under_concurrency()
    {
        var numbers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => Store.NextSequenceAsync("incident", Ct))));

        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), numbers.Order());
        Assert.Equal(1, await Store.NextSequenceAsync("run", Ct));
        Assert.Equal(41, await Store.NextSequenceAsync("incident", Ct));
    }
}
