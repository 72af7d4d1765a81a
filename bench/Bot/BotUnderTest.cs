using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DrBot.Bench.Bot;

/// <summary>
/// The real bot as a child process: the Release build of DrBot.Bot.dll on a free loopback port, its
/// data in a fresh temporary folder, simulated infrastructure with no delays, an alert token set.
/// </summary>
internal sealed class BotUnderTest : IAsyncDisposable
{
    public const string AlertToken = "bench-alert-token";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BotUnderTest(Process process, int port, string dataDir)
    {
        _process = process;
        DataDir = dataDir;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseUri { get; }
    public string DataDir { get; }
    public string StorePath => Path.Combine(DataDir, "drbot.db");
    public int ProcessId => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<BotUnderTest> StartAsync(string repoRoot, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(repoRoot, "src", "Bot", "bin", "Release", "net10.0", "DrBot.Bot.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"Build the bot first: dotnet build src/Bot -c Release (missing {dll}).");
        var dataDir = Path.Combine(Path.GetTempPath(), "drbot-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DrBot__Store__LiteDb__Path"] = Path.Combine(dataDir, "drbot.db");
        start.Environment["DrBot__Infrastructure__SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json");
        start.Environment["DrBot__Infrastructure__SimulatedDelayFactor"] = "0";
        start.Environment["DrBot__Local__LogPath"] = Path.Combine(dataDir, "local-chat.json");
        start.Environment["DrBot__Alerts__Token"] = AlertToken;
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the bot");
        var bot = new BotUnderTest(process, port, dataDir);
        process.OutputDataReceived += (_, e) => bot.Append(e.Data);
        process.ErrorDataReceived += (_, e) => bot.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await bot.WaitHealthyAsync(cancellationToken);
        return bot;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the bot exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // slow start on a busy machine
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"the bot did not become healthy within 60 s:\n{Output}");
    }

    /// <summary>Stops the bot (SIGTERM first so LiteDB closes its file cleanly, then SIGKILL).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // left behind in /tmp; harmless
        }
    }
}
