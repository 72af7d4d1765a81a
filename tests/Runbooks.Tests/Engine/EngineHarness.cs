using DrBot.Runbooks.Approvals;
using DrBot.Runbooks.Engine;
using DrBot.Runbooks.Infrastructure;
using DrBot.Runbooks.Infrastructure.Simulated;
using DrBot.Runbooks.Outbox;
using DrBot.Runbooks.People;
using DrBot.Runbooks.Policy;
using DrBot.Runbooks.Storage;
using DrBot.Runbooks.Storage.LiteDb;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using DrBot.Runbooks.Runs;

namespace DrBot.Runbooks.Tests.Engine;

/// <summary>
/// A runbook engine on a temporary LiteDB file and an in-memory simulated world with delays off,
/// wired through <c>AddRunbookEngine</c> as the host does. <see cref="RestartAsync"/> abandons the
/// engine and builds a new one on the same file and world, as a bot restart would.
/// </summary>
internal sealed class EngineHarness : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "drbot-engine-" + Guid.NewGuid().ToString("N"));
    private readonly Func<TimeProvider, IDrBotStore>? _openStore;
    private ServiceProvider _services;

    /// <param name="openStore">Opens the store (a new instance on the same data each restart); default a LiteDB file.</param>
    public EngineHarness(Action<DrBotOptions>? configure = null, Func<TimeProvider, IDrBotStore>? openStore = null)
    {
        _openStore = openStore;
        Directory.CreateDirectory(_directory);
        Options = DefaultOptions();
        configure?.Invoke(Options);
        World = new SimulatedWorld(Options, Time);
        _services = Build();
    }

    public static readonly DateTimeOffset Start = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Time { get; } = new(Start);
    public DrBotOptions Options { get; }
    public SimulatedWorld World { get; }
    public string DatabasePath => Path.Combine(_directory, "drbot.db");
    public RecordingNotifier Notifier { get; } = new();
    public RecordingObserver Observer { get; } = new();

    public RunbookEngine Engine => _services.GetRequiredService<RunbookEngine>();
    public IDrBotStore Store => _services.GetRequiredService<IDrBotStore>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static Actor Person(string name) => new(name, name, "local", name);

    /// <summary>Abandons the engine (and closes its store) and builds a fresh one on the same file and world.</summary>
    public void Restart()
    {
        _services.Dispose();
        _services = Build();
    }

    public async Task<RunRecord> StartAsync(string runbook, string region, string by = "alice")
    {
        var started = await Engine.StartAsync(new StartRunRequest(runbook, region, Person(by), "INC-1"), CancellationToken.None);
        Assert.True(started.Started, started.Message);
        return started.Run!;
    }

    public Task<DecisionResult> DecideAsync(RunRecord run, string stepId, string who, bool approve = true, int? cardVersion = null,
        string? confirm = null, string? factsDigest = null) =>
        Engine.DecideAsync(new GateDecisionRequest(run.Id, stepId, Person(who), approve, "go", cardVersion, factsDigest, confirm), CancellationToken.None);

    /// <summary>
    /// Advances, approving each gate with bob (and carol when a gate needs two approvers; the target typed on a
    /// destructive gate), until the run ends.
    /// </summary>
    public async Task<RunRecord> RunToEndAsync(RunRecord run, string approver = "bob")
    {
        var current = await Engine.AdvanceAsync(run.Id, CancellationToken.None);
        while (!current.IsFinished)
        {
            await ApproveGateAsync(current, approver);
            current = await Engine.AdvanceAsync(run.Id, CancellationToken.None);
        }
        return current;
    }

    /// <summary>Approves the gate the run waits at with <paramref name="approver"/>, and another lead when it needs two.</summary>
    public async Task<RunRecord> ApproveGateAsync(RunRecord run, string approver = "bob")
    {
        var gate = run.State;
        var current = run;
        foreach (var who in new[] { approver, approver == "carol" ? "bob" : "carol" })
        {
            var decision = await DecideAsync(current, gate, who, confirm: current.Region);
            Assert.True(decision.Applied, decision.Message);
            current = (await Store.GetRunAsync(run.Id, CancellationToken.None))!;
            if (current.State != gate)
                break;
        }
        return current;
    }

    public IReadOnlyList<string> SideEffects() =>
        [.. World.SideEffects.Select(e => $"{e.Kind} {e.Region}: {e.Detail}")];

    public void Dispose()
    {
        _services.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS is left in the temp folder.
        }
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IOptions<DrBotOptions>>(Microsoft.Extensions.Options.Options.Create(Options));
        services.Configure<RunbookEngineOptions>(o => o.RetryBaseDelay = TimeSpan.Zero);
        if (_openStore is not null)
        {
            services.AddSingleton(sp => _openStore(Time));
        }
        else
        {
            services.AddSingleton(sp => new LiteDbStore(DatabasePath, Time));
            services.AddSingleton<IDrBotStore>(sp => sp.GetRequiredService<LiteDbStore>());
        }
        services.AddSingleton(World);
        services.AddSingleton<IDatabaseReplica, SimulatedDatabase>();
        services.AddSingleton<IClusterManager, SimulatedCluster>();
        services.AddSingleton<ITrafficRouter, SimulatedTraffic>();
        services.AddSingleton<IHealthProbe, SimulatedHealthProbe>();
        services.AddSingleton<ICacheReplica, SimulatedCache>();
        services.AddSingleton<SimulatedFailoverSupport>();
        services.AddSingleton<IDatabaseFence>(sp => sp.GetRequiredService<SimulatedFailoverSupport>());
        services.AddSingleton<IDatabaseHeartbeat>(sp => sp.GetRequiredService<SimulatedFailoverSupport>());
        services.AddSingleton<IRunbookNotifier>(Notifier);
        services.AddSingleton<IRunProjection>(Observer);
        services.AddRunbookEngine();
        return services.BuildServiceProvider();
    }

    private static DrBotOptions DefaultOptions()
    {
        var options = new DrBotOptions();
        options.Infrastructure.SimulatedDelayFactor = 0;
        options.Regions["east-us"] = new RegionOptions { Role = "primary", DisplayName = "East US" };
        options.Regions["west-us"] = new RegionOptions { Role = "secondary", DisplayName = "West US" };
        options.Regions["north-europe"] = new RegionOptions { Role = "backup", DisplayName = "North Europe" };
        options.People["alice"] = new PersonOptions { Roles = [Roles.OnCall] };
        options.People["bob"] = new PersonOptions { Roles = [Roles.Lead] };
        options.People["carol"] = new PersonOptions { Roles = [Roles.Lead] };
        options.People["dana"] = new PersonOptions { Roles = [Roles.Cto] };
        options.People["erin"] = new PersonOptions { Roles = [Roles.EngineeringLead] };
        return options;
    }
}

internal sealed class RecordingNotifier : IRunbookNotifier
{
    private readonly List<(string Audience, string Text)> _posts = [];

    public IReadOnlyList<(string Audience, string Text)> Posts
    {
        get { lock (_posts) { return [.. _posts]; } }
    }

    public Task NotifyAsync(string runId, string? incidentId, string audience, string text, CancellationToken cancellationToken)
    {
        lock (_posts)
        {
            _posts.Add((audience, text));
        }
        return Task.CompletedTask;
    }
}

/// <summary>A projection that records every change it is asked about and adds no message.</summary>
internal sealed class RecordingObserver : IRunProjection
{
    private readonly List<(string RunId, int Version, RunChange Change)> _changes = [];

    /// <summary>Called on each change; tests use it to stop the engine at a chosen point.</summary>
    public Action<RunRecord, RunChange>? OnChange { get; set; }

    public IReadOnlyList<(string RunId, int Version, RunChange Change)> Changes
    {
        get { lock (_changes) { return [.. _changes]; } }
    }

    public Task<IReadOnlyList<OutboxMessage>> ProjectAsync(RunRecord run, RunChange change, CancellationToken cancellationToken)
    {
        lock (_changes)
        {
            _changes.Add((run.Id, run.Version, change));
        }
        OnChange?.Invoke(run, change);
        return Task.FromResult<IReadOnlyList<OutboxMessage>>([]);
    }
}
