using System.Diagnostics;
using System.Net;
using System.Text;

namespace DrBot.Tests.Support;

/// <summary>
/// Starts the built DrBot.Bot.dll as a child process on a free loopback port with the given settings
/// (environment variables), keeps everything it prints, and returns once <c>/healthz</c> answers.
/// Shared by the end-to-end tests and the benchmark (bench/Bot links this file).
/// </summary>
public sealed class BotLauncher : IDisposable
{
    private readonly StringBuilder _output = new();

    private BotLauncher(Process process, int port)
    {
        Process = process;
        Port = port;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
    }

    public Process Process { get; }
    public int Port { get; }
    public Uri BaseUri { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<BotLauncher> StartAsync(string dll, string workingDirectory, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = ChildProcess.FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\"")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the bot");
        var bot = new BotLauncher(process, port);
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
            if (Process.HasExited)
                throw new InvalidOperationException($"the bot exited with {Process.ExitCode}:\n{Output}");
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

    public void Dispose() => Process.Dispose();
}
