using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DrBot.Runbooks.Tests.Incidents;

public sealed class IncidentServiceTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;
    private static readonly Actor Alice = new("alice", "Alice", "slack", "U1");
    private static readonly Actor Bob = new("bob", "Bob", "teams", "aad-bob");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "drbot-incidents-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly LiteDbStore _store;
    private readonly AuditLog _audit;
    private readonly IncidentService _incidents;

    public IncidentServiceTests()
    {
        _store = new LiteDbStore(Path.Combine(_folder, "drbot.db"), _time);
        _audit = new AuditLog(_store, _time);
        var options = DrBotOptionsDefaults.Create();
        options.People["alice"] = new PersonOptions { Roles = [Roles.OnCall] };
        options.People["bob"] = new PersonOptions { Roles = [Roles.Lead] };
        _incidents = new IncidentService(_store, _audit, _time, Options.Create(options));
    }

    private async Task<Incident> OpenP1Async(string region = "east-us") =>
        (await _incidents.OpenAsync(new OpenIncidentRequest("p1", "East US unreachable", Alice, region, ["core-api", "frontend"], FailureStartedAt: _time.GetUtcNow().AddMinutes(-4)), Ct)).Incident!;

    [Fact]
    public async Task Opening_numbers_incidents_and_sets_the_deadlines_from_the_severity()
    {
        var first = await OpenP1Async();
        var second = (await _incidents.OpenAsync(new OpenIncidentRequest("P4", "Report slow", Alice, Services: ["reporting"]), Ct)).Incident!;

        Assert.Equal(("INC-0001", "INC-0002"), (first.Id, second.Id));
        Assert.Equal(("P1", IncidentState.Open, "critical"), (first.Severity, first.State, first.Tier));
        Assert.Equal("non-critical", second.Tier);
        Assert.Equal(_time.GetUtcNow().AddMinutes(15), first.NextStatusPostAt);
        Assert.Equal(_time.GetUtcNow().AddMinutes(15), first.NextEscalationAt);
        Assert.Null(second.NextEscalationAt);
        Assert.Equal("opened", Assert.Single(first.Timeline).Kind);
        Assert.Equal("incident.opened", (await _audit.ReadAsync(Ct))[0].Action);
        Assert.Equal("INC-0001", (await _incidents.GetAsync("INC-0001", Ct))!.Id);
    }

    [Theory]
    [InlineData("P5", "Unknown severity 'P5' (valid: P1, P2, P3, P4)")]
    [InlineData("", "Unknown severity '' (valid: P1, P2, P3, P4)")]
    public async Task A_bad_severity_is_refused_listing_the_valid_ones_and_nothing_is_stored(string severity, string expected)
    {
        var result = await _incidents.OpenAsync(new OpenIncidentRequest(severity, "Something", Alice), Ct);

        Assert.False(result.Ok);
        Assert.Equal(expected + ".", result.Message);
        Assert.Empty(await _incidents.ListOpenAsync(Ct));
        Assert.Empty(await _audit.ReadAsync(Ct));
    }

    [Fact]
    public async Task A_bad_region_or_tier_is_refused_with_the_valid_values()
    {
        var region = await _incidents.OpenAsync(new OpenIncidentRequest("P2", "x", Alice, Region: "mars"), Ct);
        var tier = await _incidents.OpenAsync(new OpenIncidentRequest("P2", "x", Alice, Tier: "gold"), Ct);

        Assert.Contains("valid: east-us, west-us, north-europe", region.Message, StringComparison.Ordinal);
        Assert.Contains("valid: critical, important, non-critical", tier.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lifecycle_runs_open_to_closed_with_a_timeline_event_and_an_audit_entry_for_each_step()
    {
        var incident = await OpenP1Async();
        _time.Advance(TimeSpan.FromMinutes(3));

        Assert.True((await _incidents.AcknowledgeAsync(incident.Id, Bob, Ct)).Ok);
        Assert.True((await _incidents.StartMitigatingAsync(incident.Id, Bob, Ct)).Ok);
        Assert.True((await _incidents.ResolveAsync(incident.Id, Bob, Ct)).Ok);
        var closed = await _incidents.CloseAsync(incident.Id, Bob, Ct);

        Assert.True(closed.Ok);
        Assert.Equal(IncidentState.Closed, closed.Incident!.State);
        Assert.Equal(_time.GetUtcNow(), closed.Incident.AcknowledgedAt);
        Assert.Null(closed.Incident.NextEscalationAt);
        Assert.Null(closed.Incident.NextStatusPostAt);
        Assert.Equal(["opened", "acknowledged", "mitigating", "resolved", "closed"], closed.Incident.Timeline.Select(t => t.Kind));
        Assert.Equal(["incident.opened", "incident.acknowledged", "incident.mitigating", "incident.resolved", "incident.closed"], (await _audit.ReadAsync(Ct)).Select(a => a.Action));
        Assert.True((await _audit.VerifyAsync(Ct)).Valid);
        Assert.Empty(await _incidents.ListOpenAsync(Ct));
    }

    [Fact]
    public async Task Closing_an_open_incident_is_refused_naming_the_valid_next_states_and_changes_nothing()
    {
        var incident = await OpenP1Async();

        var result = await _incidents.CloseAsync(incident.Id, Bob, Ct);

        Assert.False(result.Ok);
        Assert.Equal("INC-0001 is open: it cannot go to closed. From open it can go to: acknowledged, mitigating, resolved.", result.Message);
        Assert.Equal(IncidentState.Open, (await _incidents.GetAsync(incident.Id, Ct))!.State);
        Assert.Single(await _audit.ReadAsync(Ct));
    }

    [Fact]
    public async Task An_unknown_incident_is_answered_not_thrown()
    {
        var result = await _incidents.AcknowledgeAsync("INC-0404", Bob, Ct);

        Assert.False(result.Ok);
        Assert.Contains("No incident 'INC-0404'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commander_updates_links_and_failover_are_recorded_and_repeated_links_change_nothing()
    {
        var incident = await OpenP1Async();

        Assert.True((await _incidents.SetCommanderAsync(incident.Id, "@Bob", Alice, Ct)).Ok);
        Assert.False((await _incidents.SetCommanderAsync(incident.Id, "zed", Alice, Ct)).Ok);
        Assert.True((await _incidents.AddHumanUpdateAsync(incident.Id, "Promoting west-us", Bob, Ct)).Ok);
        Assert.True((await _incidents.LinkRunAsync(incident.Id, "R-1", Alice, Ct)).Ok);
        Assert.True((await _incidents.LinkRunAsync(incident.Id, "R-1", Alice, Ct)).Ok);
        Assert.True((await _incidents.LinkAlertAsync(incident.Id, "A-9", Alice, Ct)).Ok);
        Assert.True((await _incidents.AddTimelineAsync(incident.Id, "step", "Database promoted", Actor.System("engine"), Ct)).Ok);
        _time.Advance(TimeSpan.FromMinutes(8));
        var failover = await _incidents.RecordFailoverAsync(incident.Id, _time.GetUtcNow(), TimeSpan.FromSeconds(40), Ct);

        var stored = (await _incidents.GetAsync(incident.Id, Ct))!;
        Assert.Equal("bob", stored.Commander);
        Assert.Equal(["R-1"], stored.RunIds);
        Assert.Equal(["A-9"], stored.AlertIds);
        Assert.NotNull(stored.LastHumanUpdateAt);
        Assert.Equal(["opened", "commander", "update", "run", "alert", "step", "failover"], stored.Timeline.Select(t => t.Kind));
        Assert.Contains("RTO 12 min 00 s (target 15 min 00 s, met)", failover.Message, StringComparison.Ordinal);
        Assert.Contains("RPO 40 s (target 5 min 00 s, met)", failover.Message, StringComparison.Ordinal);
        Assert.Equal(7, (await _audit.ReadAsync(Ct)).Count);
    }

    [Fact]
    public async Task The_open_incident_of_a_region_is_found_and_a_resolved_one_is_not()
    {
        var east = await OpenP1Async();
        _time.Advance(TimeSpan.FromMinutes(1));
        await OpenP1Async("west-us");

        Assert.Equal(east.Id, (await _incidents.FindOpenForRegionAsync("EAST-US", Ct))!.Id);
        await _incidents.ResolveAsync(east.Id, Bob, Ct);
        Assert.Null(await _incidents.FindOpenForRegionAsync("east-us", Ct));
    }

    [Fact]
    public async Task Concurrent_changes_to_one_incident_are_all_kept()
    {
        var incident = await OpenP1Async();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => _incidents.LinkAlertAsync(incident.Id, $"A-{i}", Alice, Ct))));

        Assert.Equal(20, (await _incidents.GetAsync(incident.Id, Ct))!.AlertIds.Count);
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
