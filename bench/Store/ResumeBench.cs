using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace DrBot.Bench.Store;

/// <summary>
/// Resume after a crash: runs are made waiting at their gate (half) or queued to be taken up (half);
/// a bot process starts on the data and is killed with SIGKILL one second in, while it is advancing
/// them; a second bot process starts, and the bench measures, from its launch, when it answers
/// health checks, when the first approval typed by a lead is served, and when every run is waiting
/// at its gate again (<c>drbot_gates_pending</c> on /metrics).
/// </summary>
internal static class ResumeBench
{
    public static async Task<string> RunAsync(string store, string? postgres, int runs, bool stableReplicaId, CancellationToken cancellationToken)
    {
        string dataDir;
        IReadOnlyDictionary<string, string?> settings;
        string clickRun;
        await using (var prepare = await BenchBot.CreateAsync(store, postgres))
        {
            prepare.KeepData = true;
            var gates = await prepare.PrepareGatesAsync(runs / 2);
            await prepare.StartQueuedAsync(runs - runs / 2);
            (dataDir, settings, clickRun) = (prepare.DataDir, prepare.Settings, gates[0].RunId);
        }
        try
        {
            var environment = settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
            environment["DrBot__RateLimits__CommandsPerMinute"] = "1000000";
            environment["Logging__LogLevel__Default"] = "Warning";
            if (stableReplicaId)
                environment["DrBot__Engine__ReplicaId"] = "bench-replica-0";
            var dll = Path.Combine(BenchBot.FindRoot(), "src", "Bot", "bin", "Release", "net10.0", "DrBot.Bot.dll");

            using (var first = await BotLauncher.StartAsync(dll, BenchBot.FindRoot(), environment, cancellationToken))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                first.Process.Kill(entireProcessTree: true); // SIGKILL: no shutdown, leases and work left as they were
                await first.Process.WaitForExitAsync(cancellationToken);
            }

            var launched = Stopwatch.StartNew();
            using var second = await BotLauncher.StartAsync(dll, BenchBot.FindRoot(), environment, cancellationToken);
            var ready = launched.Elapsed;
            using var http = new HttpClient { BaseAddress = second.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("X-DrBot-Local", "1");
            TimeSpan? clicked = null;
            var clicking = Task.Run(async () =>
            {
                while (launched.Elapsed < TimeSpan.FromMinutes(3))
                {
                    using var answer = await http.PostAsJsonAsync("api/local/messages", new { user = "bob", text = $"approve {clickRun} approve" }, cancellationToken);
                    if ((await answer.Content.ReadAsStringAsync(cancellationToken)).Contains("approved by", StringComparison.OrdinalIgnoreCase))
                    {
                        clicked = launched.Elapsed;
                        return;
                    }
                    await Task.Delay(20, cancellationToken);
                }
            }, cancellationToken);
            TimeSpan? resumed = null;
            while (resumed is null && launched.Elapsed < TimeSpan.FromMinutes(3))
            {
                // The clicked run leaves its gate, so "all resumed" is every other run at its gate.
                if (await GatesPendingAsync(http, cancellationToken) >= runs - 1)
                    resumed = launched.Elapsed;
                else
                    await Task.Delay(100, cancellationToken);
            }
            await clicking;
            return string.Create(CultureInfo.InvariantCulture,
                $"| {store}{(stableReplicaId ? " (same ReplicaId)" : "")} | {runs} | {ready.TotalSeconds:0.00} | {Seconds(clicked)} | {Seconds(resumed)} |");
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public const string Header = "| store | runs | answering /healthz (s) | first approval served (s) | every run back at its gate (s) |\n|---|---:|---:|---:|---:|";

    private static string Seconds(TimeSpan? at) => at is { } t ? t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) : "not within 3 min";

    private static async Task<double> GatesPendingAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync("metrics", cancellationToken);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("drbot_gates_pending ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line["drbot_gates_pending ".Length..], CultureInfo.InvariantCulture);
    }
}
