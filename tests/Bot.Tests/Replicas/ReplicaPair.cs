using System.Text.Json;
using System.Text.Json.Nodes;
using DrBot.Bot.Tests.Support;
using DrBot.Runbooks.Storage.Postgres;
using Npgsql;

namespace DrBot.Bot.Tests.Replicas;

/// <summary>
/// Two bot processes ("replica-a", "replica-b") on one real PostgreSQL database and one simulated
/// world file, with short status interval, escalation and run lease, driven through the local
/// channel API of either. The store is read directly to count what happened.
/// </summary>
internal sealed class ReplicaPair : IAsyncDisposable
{
    private readonly TempPostgres _postgres;
    private readonly string _root;

    private ReplicaPair(TempPostgres postgres, string root, string connectionString, Dictionary<string, BotProcess> bots)
    {
        _postgres = postgres;
        _root = root;
        ConnectionString = connectionString;
        Bots = bots;
        Store = new PostgresStore(connectionString, TimeProvider.System);
    }

    public string ConnectionString { get; }
    public Dictionary<string, BotProcess> Bots { get; }
    public BotProcess A => Bots["replica-a"];
    public BotProcess B => Bots["replica-b"];
    public PostgresStore Store { get; }
    public string WorldPath => Path.Combine(_root, "shared", "simulated-world.json");

    /// <param name="extra">More settings for both replicas (a test's own schedule, say).</param>
    public static async Task<ReplicaPair> StartAsync(double delayFactor, IReadOnlyDictionary<string, string>? extra = null)
    {
        var postgres = await TempPostgres.StartAsync();
        var root = Directory.CreateTempSubdirectory("drbot-replicas-").FullName;
        var connectionString = await postgres.NewDatabaseAsync();
        var settings = new Dictionary<string, string>
        {
            ["DrBot__Store__Provider"] = "Postgres",
            ["DrBot__Store__Postgres__ConnectionString"] = connectionString,
            ["DrBot__Infrastructure__SimulatedStatePath"] = Path.Combine(root, "shared", "simulated-world.json"),
            ["DrBot__Infrastructure__SimulatedDelayFactor"] = delayFactor.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DrBot__Local__LogPath"] = Path.Combine(root, "shared", "local-chat.json"),
            ["DrBot__StatusUpdates__Interval"] = "00:00:02",
            ["DrBot__Severities__P2__ResponseTime"] = "00:00:02",
            ["DrBot__Severities__P2__EscalationDelay"] = "00:00:04",
            ["DrBot__Engine__RunLease"] = "00:00:03",
            ["DrBot__Engine__TakeoverPoll"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        var started = await Task.WhenAll(new[] { "replica-a", "replica-b" }.Select(async name =>
        {
            var mine = new Dictionary<string, string>(settings) { ["DrBot__Engine__ReplicaId"] = name };
            return (name, bot: await BotProcess.StartAsync(Path.Combine(root, name), mine));
        }));
        return new ReplicaPair(postgres, root, connectionString, started.ToDictionary(s => s.name, s => s.bot));
    }

    /// <summary>The local channel as either replica shows it (they share one chat log file).</summary>
    public async Task<(BotProcess Bot, JsonObject Message)> WaitForMessageAsync(Func<JsonObject, bool> condition, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            foreach (var bot in Bots.Values)
            {
                try
                {
                    foreach (var message in (await bot.MessagesAsync()).OfType<JsonObject>())
                        if (condition(message))
                            return (bot, message);
                }
                catch (HttpRequestException)
                {
                    // a killed replica
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no such message on either replica within {timeout}.\nA:\n{A.Output}\nB:\n{B.Output}");
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<(string PostKey, string Operation)>> OutboxAsync()
    {
        var messages = await Store.ListOutboxAsync(undeliveredOnly: false, CancellationToken.None);
        return messages.Select(m => (m.PostKey, m.Operation.ToString())).ToList();
    }

    public sealed record Effect(string Region, string Kind, string Detail);

    /// <summary>Every change the simulated world made, whichever replica made it.</summary>
    public List<Effect> SideEffects()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var state = JsonNode.Parse(File.ReadAllText(WorldPath))!;
                return (state["SideEffects"] ?? state["sideEffects"])!.AsArray().Select(e => new Effect(
                    (e!["Region"] ?? e["region"])!.GetValue<string>(),
                    (e["Kind"] ?? e["kind"])!.GetValue<string>(),
                    (e["Detail"] ?? e["detail"])!.GetValue<string>())).ToList();
            }
            catch (Exception ex) when (ex is IOException or JsonException && attempt < 20)
            {
                Thread.Sleep(50); // a replica replaces the file atomically; a read may race the rename
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var bot in Bots.Values)
            await bot.DisposeAsync();
        await Store.DisposeAsync();
        await _postgres.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
