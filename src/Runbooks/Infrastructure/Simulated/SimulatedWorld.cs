using System.Text.Json;
using DrBot.Runbooks.Policy;

namespace DrBot.Runbooks.Infrastructure.Simulated;

/// <summary>
/// Three regions held in memory (and in a JSON file, so a drill survives a bot restart) that the
/// simulated adapters act on. Every real change is appended to <see cref="SideEffects"/>; an action
/// that verifies it is already done records nothing. Faults (region down, database crash, unhealthy
/// secondary, replication lag, data inconsistency) are injected with the methods in
/// SimulatedWorld.Faults.cs.
/// </summary>
public sealed partial class SimulatedWorld
{
    /// <summary>The state file's JSON: enums by name, one line.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions StateJson = new(System.Text.Json.JsonSerializerDefaults.General)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly DrBotOptions _options;
    private readonly TimeProvider _time;
    private readonly string? _statePath;
    private readonly Lock _gate = new();
    private SimulatedWorldState _state;

    /// <param name="statePath">JSON file to keep the state in; null keeps it in memory only.</param>
    public SimulatedWorld(DrBotOptions options, TimeProvider time, string? statePath = null)
    {
        _options = options;
        _time = time;
        _statePath = string.IsNullOrWhiteSpace(statePath) ? null : Path.GetFullPath(statePath);
        _state = SimulatedWorldLayout.Build(options);
        using (ShareFile())
        {
            Save();
        }
    }

    /// <summary>
    /// Several bot processes (replicas on one shared store) may use one state file: every access holds
    /// an exclusive lock file beside it and re-reads the file first, so each process acts on the latest
    /// world and a change made by one replica is seen (and verified) by the other. Null without a file.
    /// </summary>
    private FileStream? ShareFile()
    {
        if (_statePath is null)
        {
            return null;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(_statePath)!);
        var held = AcquireLockFile(LockFileFor(_statePath));
        try
        {
            _state = Load() ?? _state;
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The lock file lives in the temp folder, named after the state file, so the state folder holds
    /// only the state file (processes sharing a state file share a machine, hence a temp folder).
    /// </summary>
    internal static string LockFileFor(string path) =>
        Path.Combine(Path.GetTempPath(), "drbot-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path)))[..16] + ".lock");

    private static FileStream AcquireLockFile(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 2000)
            {
                // Another process holds the world for a moment (a read or one applied change).
                Thread.Sleep(5);
            }
        }
    }

    /// <summary>
    /// Called right after a side effect is applied and saved, before the adapter returns. Tests
    /// throw from it to simulate a crash in the middle of a step.
    /// </summary>
    public Func<SimulatedSideEffect, ValueTask>? AfterSideEffect { get; set; }

    public string? StatePath => _statePath;

    public IReadOnlyList<string> RegionNames => Read(s => s.Regions.Keys.ToList());

    public IReadOnlyList<SimulatedSideEffect> SideEffects => Read(s => s.SideEffects.ToList());

    public IReadOnlyList<string> FaultLog => Read(s => s.FaultLog.ToList());

    /// <summary>A copy of one region's state, for tests and the drill view.</summary>
    public SimulatedRegion GetRegion(string region) => Read(s => Clone(Find(s, region)));

    /// <summary>A copy of the whole state.</summary>
    public SimulatedWorldState Snapshot() => Read(Clone);

    /// <summary>Back to the configured starting layout: faults cleared, side-effect journal emptied.</summary>
    public void Reset()
    {
        lock (_gate)
        using (ShareFile())
        {
            _state = SimulatedWorldLayout.Build(_options);
            Save();
        }
    }

    internal T Read<T>(Func<SimulatedWorldState, T> read)
    {
        lock (_gate)
        using (ShareFile())
        {
            return read(_state);
        }
    }

    /// <summary>
    /// Waits the action's (scaled) duration, then verifies and applies it atomically. When
    /// <paramref name="apply"/> reports a change, it is journaled, the state saved, and the hook called.
    /// </summary>
    internal async Task<InfraActionResult> ActAsync(TimeSpan duration, Func<SimulatedWorldState, SimulatedChange> apply, CancellationToken cancellationToken)
    {
        await DelayAsync(duration, cancellationToken);
        SimulatedSideEffect? effect = null;
        InfraActionResult result;
        lock (_gate)
        using (ShareFile())
        {
            var change = apply(_state);
            result = change.Result;
            if (change.Kind is not null)
            {
                effect = new SimulatedSideEffect(_state.SideEffects.Count + 1, _time.GetUtcNow(), change.Region, change.Kind, change.Result.Detail);
                _state.SideEffects.Add(effect);
                Save();
            }
        }
        if (effect is not null && AfterSideEffect is { } hook)
        {
            await hook(effect);
        }
        return result;
    }

    /// <summary>A realistic small delay, scaled by DrBot:Infrastructure:SimulatedDelayFactor (0 = none).</summary>
    internal Task DelayAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var factor = _options.Infrastructure.SimulatedDelayFactor;
        if (factor <= 0 || duration <= TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }
        return Task.Delay(duration * factor, _time, cancellationToken);
    }

    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The region, or an error naming the regions that exist.</summary>
    internal static SimulatedRegion Find(SimulatedWorldState state, string region) =>
        TryFind(state, region) ?? throw new ArgumentException(UnknownRegion(state, region), nameof(region));

    internal static SimulatedRegion? TryFind(SimulatedWorldState state, string? region) =>
        region is not null && state.Regions.TryGetValue(region, out var found) ? found : null;

    internal static string UnknownRegion(SimulatedWorldState state, string? region) =>
        $"Unknown region '{region}' (known: {string.Join(", ", state.Regions.Keys)}).";

    private void Save()
    {
        if (_statePath is null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_statePath)!);
            // Write beside, then move over: a crash mid-write never leaves half a file.
            var temporary = _statePath + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(_state, StateJson));
            File.Move(temporary, _statePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The simulated world cannot save its state to '{_statePath}': {ex.Message}", ex);
        }
    }

    private SimulatedWorldState? Load()
    {
        if (_statePath is null || !File.Exists(_statePath))
        {
            return null;
        }
        try
        {
            var state = JsonSerializer.Deserialize<SimulatedWorldState>(File.ReadAllText(_statePath), StateJson);
            return state is null ? null : WithIgnoreCase(state);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException(
                $"The simulated world state file '{_statePath}' is not valid JSON ({ex.Message}). Delete it to start the simulation afresh.", ex);
        }
    }

    private static SimulatedWorldState Clone(SimulatedWorldState state) =>
        WithIgnoreCase(JsonSerializer.Deserialize<SimulatedWorldState>(JsonSerializer.Serialize(state, StateJson), StateJson)!);

    private static SimulatedRegion Clone(SimulatedRegion region) =>
        WithIgnoreCase(JsonSerializer.Deserialize<SimulatedRegion>(JsonSerializer.Serialize(region, StateJson), StateJson)!);

    /// <summary>JSON cannot carry dictionary comparers; region and service names stay case-insensitive.</summary>
    private static SimulatedWorldState WithIgnoreCase(SimulatedWorldState state)
    {
        state.Regions = new Dictionary<string, SimulatedRegion>(state.Regions, StringComparer.OrdinalIgnoreCase);
        foreach (var region in state.Regions.Values)
        {
            WithIgnoreCase(region);
        }
        return state;
    }

    private static SimulatedRegion WithIgnoreCase(SimulatedRegion region)
    {
        region.Health = new Dictionary<string, SimulatedServiceHealth>(region.Health, StringComparer.OrdinalIgnoreCase);
        region.Cluster.Deployments = new Dictionary<string, SimulatedDeployment>(region.Cluster.Deployments, StringComparer.OrdinalIgnoreCase);
        return region;
    }
}

/// <summary>What an action did: a result, and when the world changed, the side effect to journal.</summary>
internal readonly record struct SimulatedChange(InfraActionResult Result, string Region, string? Kind)
{
    public static SimulatedChange Changed(string region, string kind, string detail) => new(InfraActionResult.Done(detail), region, kind);
    public static SimulatedChange NoOp(string region, string detail) => new(InfraActionResult.NoOp(detail), region, null);
    public static SimulatedChange Failed(string region, string detail, bool transient = false) => new(InfraActionResult.Failed(detail, transient), region, null);
}
