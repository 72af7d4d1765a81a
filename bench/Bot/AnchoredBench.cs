using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using DrBot.Bench.Bot.Anchors;

namespace DrBot.Bench.Bot;

/// <summary>
/// DrBot against the tools it sits beside, each anchor started in the same run with the same load
/// from the same generator: command acknowledgements against a bare Kestrel endpoint, alert intake
/// (the same ten alerts re-posted; ten new alerts per post) against Alertmanager. Prints anchor,
/// DrBot and their ratio, the generator's own CPU (so it is seen not to be the bottleneck) and the
/// bot's resident memory after the loads.
/// </summary>
internal sealed class AnchoredBench(string repoRoot, AnchoredOptions options)
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await AcknowledgementsAsync(cancellationToken);
        await AlertIntakeAsync(cancellationToken);
    }

    private async Task AcknowledgementsAsync(CancellationToken cancellationToken)
    {
        using var anchor = await KestrelAnchor.StartAsync(cancellationToken);
        await using var bot = await BotUnderTest.StartAsync(repoRoot, cancellationToken);
        using var anchorHttp = Client(anchor.BaseUri);
        using var botHttp = Client(bot.BaseUri);
        var body = new { user = "alice", text = "help" };
        Task<Outcome> Anchor(int _, CancellationToken ct) => Send(anchorHttp.PostAsJsonAsync("ack", body, ct));
        Task<Outcome> Bot(int _, CancellationToken ct) => Send(botHttp.PostAsJsonAsync("api/local/messages", body, ct));

        var rate = options.AckRate;
        var load = new FixedRateLoad(rate, rate * options.AckSeconds, TimeSpan.FromSeconds(options.AckSeconds), options.AckConnections);
        var warmUp = new FixedRateLoad(rate, rate * 3, TimeSpan.FromSeconds(3), options.AckConnections);
        await warmUp.RunAsync(Anchor, cancellationToken);
        await warmUp.RunAsync(Bot, cancellationToken);
        var (anchorResult, anchorGenerator) = await Measured(() => load.RunAsync(Anchor, cancellationToken));
        var (botResult, botGenerator) = await Measured(() => load.RunAsync(Bot, cancellationToken));
        Add($"command ack p99 at {rate}/s, ≤ {options.AckConnections} in flight", $"{anchor.Name} {Ms(anchorResult.Percentile(99))} ms", $"{Ms(botResult.Percentile(99))} ms",
            botResult.Percentile(99) / anchorResult.Percentile(99), "≤ 1.3×");
        _notes.Add(Invariant($"ack: anchor p50 {Ms(anchorResult.Percentile(50))} ms, failed {anchorResult.Failed}; DrBot p50 {Ms(botResult.Percentile(50))} ms, failed {botResult.Failed}; generator {anchorGenerator:0.00}/{botGenerator:0.00} cores."));
    }

    private async Task AlertIntakeAsync(CancellationToken cancellationToken)
    {
        using var anchor = await AlertmanagerAnchor.StartAsync(cancellationToken);
        await using var bot = await BotUnderTest.StartAsync(repoRoot, cancellationToken);
        using var anchorHttp = Client(anchor.BaseUri);
        using var botHttp = Client(bot.BaseUri);
        var load = new ClosedLoopLoad(options.AlertConnections, TimeSpan.FromSeconds(options.AlertSeconds));
        var version = await AlertmanagerAnchor.VersionAsync();

        foreach (var distinct in new[] { false, true })
        {
            var tag = Guid.NewGuid().ToString("N")[..8];
            Task<Outcome> Anchor(int i, CancellationToken ct) => Send(Post(anchorHttp, "api/v2/alerts", AlertPayloads.AlertmanagerApi(tag, distinct ? i : 0), null, ct));
            Task<Outcome> Bot(int i, CancellationToken ct) => Send(Post(botHttp, "api/alerts/alertmanager", AlertPayloads.Webhook(tag, distinct ? i : 0), BotUnderTest.AlertToken, ct));
            var (anchorResult, anchorGenerator) = await Measured(() => load.RunAsync(Anchor, cancellationToken));
            var (botResult, botGenerator) = await Measured(() => load.RunAsync(Bot, cancellationToken));
            var shape = distinct ? "distinct alerts (10 new per post)" : "repeated alerts (same 10 re-posted)";
            Add($"{shape}, {options.AlertConnections} connections", $"{version}: {anchorResult.AchievedPerSecond:0} posts/s",
                Invariant($"{botResult.AchievedPerSecond:0} posts/s, {botResult.Failed} non-2xx"), botResult.AchievedPerSecond / anchorResult.AchievedPerSecond,
                distinct ? "≥ 1×, durable, no loss" : "≥ 3×");
            _notes.Add(Invariant($"{shape}: anchor {anchorResult.Count} posts ({anchorResult.Failed} failed, p99 {Ms(anchorResult.Percentile(99))} ms), generator {anchorGenerator:0.00} cores; DrBot {botResult.Count} posts (p99 {Ms(botResult.Percentile(99))} ms), generator {botGenerator:0.00} cores."));
        }

        await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds), cancellationToken);
        _notes.Add(Invariant($"DrBot resident memory {options.SettleSeconds} s after the alert loads: {ResidentMegabytes(bot.ProcessId):0} MB; anchor: {ResidentMegabytes(anchor.ProcessId):0} MB."));
    }

    public void Print(TextWriter output)
    {
        string[] header = ["measurement", "anchor (same run)", "DrBot", "ratio", "target"];
        var widths = header.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine("| " + string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))) + " |");
        output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in _rows)
            output.WriteLine("| " + string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))) + " |");
        output.WriteLine();
        foreach (var note in _notes)
            output.WriteLine(note);
    }

    private void Add(string measurement, string anchor, string drbot, double ratio, string target) =>
        _rows.Add([measurement, anchor, drbot, Invariant($"{ratio:0.00}×"), target]);

    /// <summary>The load's result and the CPU this (generator) process used meanwhile, in cores.</summary>
    private static async Task<(LoadResult Result, double GeneratorCores)> Measured(Func<Task<LoadResult>> run)
    {
        var generator = BotCpu.Start(Environment.ProcessId);
        var result = await run();
        return (result, generator.CoresUsed());
    }

    private static async Task<Outcome> Send(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        await response.Content.LoadIntoBufferAsync();
        return response.IsSuccessStatusCode ? Outcome.Ok : Outcome.Failed;
    }

    private static Task<HttpResponseMessage> Post(HttpClient http, string path, byte[] body, string? bearer, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (bearer is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http.SendAsync(request, cancellationToken);
    }

    private static HttpClient Client(Uri baseUri)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-DrBot-Local", "1");
        return client;
    }

    public static double ResidentMegabytes(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
            return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static string Ms(double value) => value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Rates, durations and connection counts of the anchored benchmarks (defaults: the load shapes).</summary>
internal sealed record AnchoredOptions(int AckRate = 200, int AckSeconds = 20, int AckConnections = 10, int AlertConnections = 20, int AlertSeconds = 10, int SettleSeconds = 20);
