using DrBot.Runbooks.Application;
using DrBot.Runbooks.Audit;
using DrBot.Runbooks.Definitions;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Incidents;
using DrBot.Runbooks.Tests.Engine;
using Microsoft.Extensions.Options;

namespace DrBot.Runbooks.Tests.Application;

/// <summary>The start use case every caller shares (chat command, card click, health monitor).</summary>
public sealed class RunbookServiceTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly EngineHarness _h = new();
    private readonly QueueRecorder _queue = new();
    private readonly IncidentService _incidents;
    private readonly RunbookService _service;

    public RunbookServiceTests()
    {
        _incidents = new IncidentService(_h.Store, new AuditLog(_h.Store, _h.Time), _h.Time, Options.Create(_h.Options), _h.Store);
        _service = new RunbookService(_h.Engine, _h.Get<RunbookCatalog>(), _incidents, new RunQueries(_h.Store), _h.Store, _queue);
    }

    public void Dispose() => _h.Dispose();

    private async Task<string> OpenIncidentAsync() =>
        (await _incidents.OpenAsync(new OpenIncidentRequest("P1", "east-us down", EngineHarness.Person("alice")), None)).Incident!.Id;

    [Fact]
    public async Task Starts_racing_for_the_same_runbook_and_region_give_one_run_and_name_it_to_the_others()
    {
        var incident = await OpenIncidentAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            _service.StartForIncidentAsync("region-failover", "WEST-US", incident, EngineHarness.Person("alice"), None))));

        var started = Assert.Single(outcomes, o => o.Run is not null).Run!;
        Assert.All(outcomes.Where(o => o.Run is null), o => Assert.Equal(started.Id, o.Running?.Id));
        Assert.Single(await _h.Store.ListRunsAsync(unfinishedOnly: false, None));
        Assert.Equal([started.Id], _queue.Queued);
        Assert.Equal([started.Id], (await _incidents.GetAsync(incident, None))!.RunIds);
    }

    [Fact]
    public async Task A_run_that_ended_frees_its_runbook_and_region_for_the_next_start()
    {
        var incident = await OpenIncidentAsync();
        var first = (await _service.StartForIncidentAsync("database-failover", "west-us", incident, EngineHarness.Person("alice"), None)).Run!;
        Assert.NotNull((await _service.StartForIncidentAsync("database-failover", "west-us", incident, EngineHarness.Person("alice"), None)).Running);

        await _service.CancelAsync(first.Id, EngineHarness.Person("bob"), "wrong region", None);

        Assert.Null(await _service.UnderWayAsync("database-failover", "west-us", None));
        var second = await _service.StartForIncidentAsync("database-failover", "west-us", incident, EngineHarness.Person("alice"), None);
        Assert.NotNull(second.Run);
        Assert.NotEqual(first.Id, second.Run!.Id);
    }

    [Fact]
    public async Task Another_runbook_or_another_region_is_not_held_by_a_run_under_way()
    {
        var incident = await OpenIncidentAsync();
        Assert.NotNull((await _service.StartForIncidentAsync("database-failover", "west-us", incident, EngineHarness.Person("alice"), None)).Run);

        Assert.NotNull((await _service.StartForIncidentAsync("application-failover", "west-us", incident, EngineHarness.Person("alice"), None)).Run);
        Assert.NotNull((await _service.StartForIncidentAsync("database-failover", "north-europe", incident, EngineHarness.Person("alice"), None)).Run);
    }

    [Fact]
    public async Task An_unknown_runbook_is_refused_with_the_valid_names_and_nothing_starts()
    {
        var incident = await OpenIncidentAsync();

        var outcome = await _service.StartForIncidentAsync("region-failvoer", "west-us", incident, EngineHarness.Person("alice"), None);

        Assert.Contains("Runbooks: ", outcome.Refusal, StringComparison.Ordinal);
        Assert.Contains("region-failover", outcome.Refusal, StringComparison.Ordinal);
        Assert.Empty(await _h.Store.ListRunsAsync(unfinishedOnly: false, None));
        Assert.Empty(_queue.Queued);
    }

    private sealed class QueueRecorder : IRunQueue
    {
        private readonly List<string> _queued = [];

        public IReadOnlyList<string> Queued
        {
            get { lock (_queued) { return [.. _queued]; } }
        }

        public void Enqueue(string runId)
        {
            lock (_queued)
            {
                _queued.Add(runId);
            }
        }
    }
}
