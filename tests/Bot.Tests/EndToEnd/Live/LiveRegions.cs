using System.Collections.Concurrent;
using System.Diagnostics;
using DrBot.Bot.Tests.Monitoring;
using DrBot.Bot.Tests.Support;
using Npgsql;
using StackExchange.Redis;

namespace DrBot.Bot.Tests.EndToEnd.Live;

/// <summary>
/// Two regions on this machine, all real servers or protocol stand-ins, and the built bot in Live mode as a
/// separate process configured only through documented keys: east-us is the primary of an asynchronous
/// PostgreSQL streaming pair and of a Redis master/replica pair; each region has a Kubernetes API
/// stand-in reached through a kubeconfig (namespace <c>ops</c>, core-api with DATABASE_URL) and an HTTP
/// health endpoint; Traffic Manager endpoints live in an ARM stand-in over HTTPS whose token endpoint is
/// the configured authority (an isolated network: nothing else is asked). The monitor probes every second.
/// </summary>
internal sealed class LiveRegions : IAsyncDisposable
{
    public const string Namespace = "ops";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly string _root;

    private LiveRegions(string root) => _root = root;

    public PostgresPair Pair { get; private set; } = null!;
    public RedisServer EastCache { get; private set; } = null!;
    public RedisServer WestCache { get; private set; } = null!;
    public FakeKubernetesApi EastCluster { get; } = new();
    public FakeKubernetesApi WestCluster { get; } = new();
    public FakeAzureResourceManager Arm { get; } = new();
    public HealthEndpoint EastHealth { get; private set; } = null!;
    public HealthEndpoint WestHealth { get; private set; } = null!;
    public BotProcess Bot { get; private set; } = null!;
    public ConcurrentQueue<(long Id, DateTimeOffset AckedAt)> Acknowledged { get; } = new();
    /// <summary>More bot settings (environment variables), added by a test's arrange step before the bot starts.</summary>
    public Dictionary<string, string> BotSettings { get; } = [];

    public static string Url(PostgresServer server) => $"postgresql://postgres@127.0.0.1:{server.Port}/postgres";

    public static async Task<LiveRegions> StartAsync(Action<LiveRegions>? arrange = null)
    {
        var regions = new LiveRegions(Directory.CreateTempSubdirectory("drbot-live-e2e-").FullName);
        await regions.StartServersAsync();
        arrange?.Invoke(regions);
        await regions.StartBotAsync();
        return regions;
    }

    private async Task StartServersAsync()
    {
        await ChildProcess.GiveToPostgresAsync(_root);
        var template = Path.Combine(_root, "template");
        await ChildProcess.RunAsync(Path.Combine(PostgresServer.BinDir, "initdb"),
            ["-D", template, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"], asPostgres: true);
        var pg = Path.Combine(_root, "pg");
        Directory.CreateDirectory(pg);
        await ChildProcess.GiveToPostgresAsync(pg);
        Pair = await PostgresPair.StartAsync(template, pg, synchronous: false);
        await ExecuteAsync(Pair.Primary, "CREATE TABLE orders(id bigint PRIMARY KEY)");

        EastCache = await RedisServer.StartAsync(_root);
        WestCache = await RedisServer.StartAsync(_root, replicaOf: EastCache);
        EastHealth = await HealthEndpoint.StartAsync();
        WestHealth = await HealthEndpoint.StartAsync();
        var eastUrl = Url(Pair.Primary);
        EastCluster.AddDeployment(Namespace, "core-api", 3, ("app", "DATABASE_URL", eastUrl));
        WestCluster.AddDeployment(Namespace, "core-api", 1, ("app", "DATABASE_URL", eastUrl));
        Arm.AddEndpoint("east-us", enabled: true, weight: 100);
        Arm.AddEndpoint("west-us", enabled: false, weight: 100);
        await File.WriteAllTextAsync(Path.Combine(_root, "east.kubeconfig"), EastCluster.KubeConfigYaml("east"));
        await File.WriteAllTextAsync(Path.Combine(_root, "west.kubeconfig"), WestCluster.KubeConfigYaml("west"));
        await File.WriteAllTextAsync(Path.Combine(_root, "arm.pem"), Arm.CertificatePem());
    }

    private async Task StartBotAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["DrBot__Infrastructure__Mode"] = "Live",
            ["DrBot__Monitoring__Interval"] = "00:00:01",
            ["DrBot__Live__StatusTimeout"] = "00:00:03",
            ["DrBot__Live__ProbeTimeout"] = "00:00:01",
            ["DrBot__Live__RolloutPollInterval"] = "00:00:00.100",
            ["DrBot__Azure__ArmEndpoint"] = Arm.Server.BaseUri.ToString(),
            ["DrBot__Azure__AuthorityHost"] = Arm.Server.BaseUri.ToString(),
            ["DrBot__Azure__DisableInstanceDiscovery"] = "true",
            ["DrBot__Azure__PollInterval"] = "00:00:00.100",
            ["AZURE_TENANT_ID"] = "00000000-0000-0000-0000-0000000000aa",
            ["AZURE_CLIENT_ID"] = "00000000-0000-0000-0000-0000000000bb",
            ["AZURE_CLIENT_SECRET"] = "test-secret",
            ["SSL_CERT_FILE"] = Path.Combine(_root, "arm.pem"),
            ["DrBot__Approvals__Expiry"] = "00:30:00",
            // The test drives the bot through the local chat API, which Live mode keeps off unless asked for.
            ["DrBot__Local__Enabled"] = "true",
        };
        foreach (var (region, db, cache, cluster, health, context) in new[]
        {
            ("east-us", Pair.Primary, EastCache, "east.kubeconfig", EastHealth, "east"),
            ("west-us", Pair.Replica, WestCache, "west.kubeconfig", WestHealth, "west"),
        })
        {
            var key = $"DrBot__Regions__{region}__";
            settings[key + "Database__ConnectionString"] = db.BotConnectionString; // pooled, as a user configures it
            settings[key + "Database__ApplicationUrl"] = Url(db);
            settings[key + "Cache__Endpoint"] = cache.Endpoint;
            settings[key + "Health__Urls__0"] = $"core-api={health.Url}";
            settings[key + "Cluster__KubeConfigPath"] = Path.Combine(_root, cluster);
            settings[key + "Cluster__Context"] = context;
            settings[key + "Cluster__Namespace"] = Namespace;
            settings[key + "Traffic__EndpointResourceId"] = FakeAzureResourceManager.EndpointId(region);
        }
        foreach (var (key, value) in BotSettings)
            settings[key] = value;
        Bot = await BotProcess.StartAsync(Path.Combine(_root, "bot"), settings);
    }

    /// <summary>Commits one row after another on east-us, recording each the server acknowledged, until it fails.</summary>
    public Task WriteUntilFailureAsync(CancellationToken cancellationToken) => Task.Run(async () =>
    {
        try
        {
            await using var conn = new NpgsqlConnection(Pair.Primary.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            for (long id = 1; ; id++)
            {
                await using var cmd = new NpgsqlCommand("INSERT INTO orders(id) VALUES (@id)", conn);
                cmd.Parameters.AddWithValue("id", id);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
                Acknowledged.Enqueue((id, TimeProvider.System.GetUtcNow()));
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or OperationCanceledException)
        {
            // the primary died or refused writes: the write in flight was never acknowledged
        }
    }, cancellationToken);

    public static async Task ExecuteAsync(PostgresServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(PostgresServer server, string sql)
    {
        await using var conn = new NpgsqlConnection(server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task<HashSet<long>> IdsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT id FROM orders", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new HashSet<long>();
        while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    public async Task<string> CacheRoleAsync(RedisServer server)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},allowAdmin=true");
        var info = (await mux.GetServer(server.Endpoint).InfoAsync("replication")).SelectMany(g => g);
        return info.First(kv => kv.Key == "role").Value;
    }

    /// <summary>Starts the writer on east-us and waits until the bot has written <paramref name="heartbeats"/> heartbeats there.</summary>
    public async Task<Task> WriteWithHeartbeatsAsync(int heartbeats, CancellationToken cancellationToken)
    {
        var writer = WriteUntilFailureAsync(cancellationToken);
        await WaitForHeartbeatsAsync(heartbeats);
        return writer;
    }

    /// <summary>The whole of east-us dies: its database host is SIGKILLed, its cache killed, its health endpoint stops answering.</summary>
    public async Task KillEastAsync()
    {
        Pair.Primary.Kill();
        EastCache.Dispose();
        await EastHealth.DisposeAsync();
    }

    /// <summary>
    /// Waits for the run card at its approval gate and has <paramref name="lead"/> click Approve on it (and a second
    /// lead on the card as it is then, when the gate needs two, as region failover's does); returns the card as first seen.
    /// </summary>
    public async Task<System.Text.Json.Nodes.JsonObject> ApproveGateAsync(string lead = "bob")
    {
        var gate = await RunCardAsync(t => t.Contains("Approval needed", StringComparison.Ordinal), LongWait);
        var reply = await Bot.ApproveOnCardAsync(gate["id"]!.GetValue<string>(), LongWait, lead, lead == "carol" ? "bob" : "carol");
        Xunit.Assert.False(reply["reply"]!["isError"]!.GetValue<bool>(), reply.ToJsonString());
        return gate;
    }

    /// <summary>The run card once it shows an outcome (or the stop past the point of no return), and its text.</summary>
    public async Task<(System.Text.Json.Nodes.JsonObject Card, string Text)> EndedRunCardAsync()
    {
        var card = await RunCardAsync(Ended, LongWait);
        return (card, CardJson.Text(card["card"]));
    }

    /// <summary>The run card shows an outcome, or the stop past the point of no return.</summary>
    public static bool Ended(string cardText) =>
        cardText.Contains("✅ Succeeded", StringComparison.Ordinal) || cardText.Contains("↩ Rolled back", StringComparison.Ordinal)
        || cardText.Contains("❌ Failed", StringComparison.Ordinal) || cardText.Contains("Stopped past the point of no return", StringComparison.Ordinal);

    /// <summary>core-api's DATABASE_URL in a region's cluster.</summary>
    public static string CoreApiDatabaseUrl(FakeKubernetesApi cluster) =>
        cluster.Deployment(Namespace, "core-api")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]![0]!["value"]!.GetValue<string>();

    /// <summary>A region's Traffic Manager endpoint status in the ARM stand-in (Enabled / Disabled).</summary>
    public string EndpointStatus(string region) =>
        Arm.Resource(FakeAzureResourceManager.EndpointId(region))["properties"]!["endpointStatus"]!.GetValue<string>();

    /// <summary>The writer's acknowledged writes, split by whether the new primary (west-us) holds them.</summary>
    public async Task<(List<(long Id, DateTimeOffset AckedAt)> Survived, List<(long Id, DateTimeOffset AckedAt)> Lost)> AcknowledgedOnWestAsync()
    {
        var present = await IdsAsync(Pair.Replica.ConnectionString);
        var acknowledged = Acknowledged.ToList();
        return (acknowledged.Where(a => present.Contains(a.Id)).ToList(), acknowledged.Where(a => !present.Contains(a.Id)).ToList());
    }

    public static readonly TimeSpan LongWait = TimeSpan.FromSeconds(120);

    /// <summary>Waits until the bot has written heartbeats to east-us (the RPO bound needs one acknowledged).</summary>
    public async Task WaitForHeartbeatsAsync(int count)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await ScalarAsync<bool>(Pair.Primary, "SELECT to_regclass('drbot_heartbeat') IS NOT NULL")
                && await ScalarAsync<long>(Pair.Primary, "SELECT count(*) FROM drbot_heartbeat") >= count)
                return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"no {count} heartbeats on east-us within 60 s:\n{Bot.Output}");
    }

    /// <summary>The run's card (the one message that carries its run id), once it satisfies the condition.</summary>
    public Task<System.Text.Json.Nodes.JsonObject> RunCardAsync(Func<string, bool> condition, TimeSpan timeout) =>
        Bot.WaitForMessageAsync(m => CardJson.Text(m["card"]) is var text && text.Contains("Run run-", StringComparison.Ordinal) && condition(text), timeout);

    public async ValueTask DisposeAsync()
    {
        if (Bot is not null) await Bot.DisposeAsync();
        await Pair.StopAsync();
        EastCache.Dispose();
        WestCache.Dispose();
        await EastCluster.DisposeAsync();
        await WestCluster.DisposeAsync();
        await Arm.DisposeAsync();
        try { await EastHealth.DisposeAsync(); } catch (ObjectDisposedException) { }
        await WestHealth.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
