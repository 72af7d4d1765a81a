using System.Globalization;
using DrBot.Bench.Store;

// Store benchmark: the same workload through the bot's real command router on LiteDB and on PostgreSQL,
// in one run. Usage: dotnet run -c Release --project bench/Store [-- --clicks N --commands N --outbox N --parallel N --postgres "<connection string>"]
var options = BenchOptions.Parse(args);
Console.WriteLine($"DrBot store benchmark: {options.Clicks} card clicks, {options.Commands} commands, {options.Outbox} outbox messages, {options.Parallel} callers at once");

TempPostgres? server = null;
var postgres = options.Postgres;
if (postgres is null)
{
    Console.WriteLine("Starting a temporary PostgreSQL server (initdb, loopback, fsync off as in the tests) …");
    server = await TempPostgres.StartAsync(maxConnections: 100);
}

if (options.Resume > 0)
{
    var rows = new List<string>();
    try
    {
        rows.Add(await ResumeBench.RunAsync("LiteDb", null, options.Resume, stableReplicaId: false, CancellationToken.None));
        // A restarted PostgreSQL replica under a new identity (a Deployment's new pod) waits for the
        // killed one's leases to expire; under the same DrBot:Engine:ReplicaId (a StatefulSet) it takes them back.
        foreach (var stable in new[] { false, true })
            rows.Add(await ResumeBench.RunAsync("Postgres", postgres ?? await server!.NewDatabaseAsync(), options.Resume, stable, CancellationToken.None));
    }
    finally
    {
        if (server is not null)
            await server.DisposeAsync();
    }
    Console.WriteLine();
    Console.WriteLine(ResumeBench.Header);
    rows.ForEach(Console.WriteLine);
    return;
}

var results = new List<Measurement>();
try
{
    foreach (var store in new[] { "LiteDb", "Postgres" })
    {
        var connection = store == "Postgres" ? postgres ?? await server!.NewDatabaseAsync() : null;
        await using var bot = await BenchBot.CreateAsync(store, connection);
        Console.WriteLine($"{store}: preparing {options.Clicks} runs waiting at their approval gate …");
        var gates = await bot.PrepareGatesAsync(options.Clicks);
        results.Add(await Measurement.RunAsync(store, "card click (approve a gate)", options.Clicks, options.Parallel, i => bot.ClickApproveAsync(gates[i])));
        results.Add(await Measurement.RunAsync(store, "command (incident open)", options.Commands, options.Parallel, i => bot.CommandAsync($"incident open P4 bench incident {i}")));
        results.Add(await Measurement.RunAsync(store, "command (incident status)", options.Commands, options.Parallel, _ => bot.CommandAsync("incident status INC-0001")));
        await bot.ClearOutboxAsync();
        await bot.EnqueueAsync(options.Outbox);
        results.Add(await bot.DrainOutboxAsync(store, "outbox send (1 dispatcher)", dispatchers: 1));
        await bot.EnqueueAsync(options.Outbox);
        results.Add(await bot.DrainOutboxAsync(store, "outbox send (2 dispatchers)", dispatchers: store == "Postgres" ? 2 : 1));
    }
}
finally
{
    if (server is not null)
        await server.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine(Measurement.Header);
foreach (var result in results)
    Console.WriteLine(result.Row());
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"\n{Environment.ProcessorCount} cores, .NET {Environment.Version}"));

internal sealed record BenchOptions(int Clicks, int Commands, int Outbox, int Parallel, string? Postgres, int Resume = 0)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions(300, 300, 1000, 8, null);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            o = args[i] switch
            {
                "--clicks" => o with { Clicks = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--commands" => o with { Commands = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--outbox" => o with { Outbox = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--parallel" => o with { Parallel = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--postgres" => o with { Postgres = args[i + 1] },
                "--resume" => o with { Resume = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Valid: --clicks, --commands, --outbox, --parallel, --postgres, --resume."),
            };
        }
        return o;
    }
}
