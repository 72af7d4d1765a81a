using StackExchange.Redis;
using Xunit;

namespace DrBot.Tests.Support;

/// <summary>
/// Starts PostgreSQL and Redis for the live-adapter tests: one template cluster made by initdb
/// (copied for each pair, which is much faster than initdb per pair), a shared PostgreSQL pair for
/// the read-only tests, and fresh pairs for the tests that kill or promote. Everything lives in one
/// temporary directory and is stopped at the end.
/// </summary>
public sealed class LiveServersFixture : IAsyncLifetime
{
    private readonly List<PostgresPair> _pairs = [];
    private readonly List<RedisServer> _redis = [];
    private string _root = "";
    private string _template = "";
    private int _next;

    public PostgresPair Shared { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("drbot-live-").FullName;
        _template = Path.Combine(_root, "template");
        await ChildProcess.GiveToPostgresAsync(_root);
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "initdb"),
            ["-D", _template, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"], asPostgres: true);
        Shared = await NewPostgresPairAsync();
    }

    public async Task<PostgresPair> NewPostgresPairAsync()
    {
        var dir = Path.Combine(_root, $"pg{Interlocked.Increment(ref _next)}");
        Directory.CreateDirectory(dir);
        await ChildProcess.GiveToPostgresAsync(dir);
        var pair = await PostgresPair.StartAsync(_template, dir);
        lock (_pairs) _pairs.Add(pair);
        return pair;
    }

    /// <summary>A Redis master and a replica that has completed its initial sync.</summary>
    public async Task<(RedisServer Master, RedisServer Replica)> NewRedisPairAsync()
    {
        var dir = Path.Combine(_root, $"redis{Interlocked.Increment(ref _next)}");
        Directory.CreateDirectory(dir);
        var master = await RedisServer.StartAsync(dir);
        var replica = await RedisServer.StartAsync(dir, replicaOf: master);
        lock (_redis) _redis.AddRange([master, replica]);
        await using var mux = await ConnectionMultiplexer.ConnectAsync($"{replica.Endpoint},allowAdmin=true");
        for (var i = 0; i < 200; i++)
        {
            var info = (await mux.GetServer(replica.Endpoint).InfoAsync("replication")).SelectMany(g => g);
            if (info.Any(kv => kv.Key == "master_link_status" && kv.Value == "up")) return (master, replica);
            await Task.Delay(50);
        }
        throw new InvalidOperationException("the Redis replica never linked to its master");
    }

    public async Task DisposeAsync()
    {
        foreach (var pair in _pairs) await pair.StopAsync();
        foreach (var r in _redis) r.Dispose();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
