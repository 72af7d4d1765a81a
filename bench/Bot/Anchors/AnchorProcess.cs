using System.Diagnostics;

namespace DrBot.Bench.Bot.Anchors;

/// <summary>An anchor server started for one run and killed after it; its output is kept to explain a failed start.</summary>
internal sealed class AnchorProcess : IDisposable
{
    private readonly string name;
    private readonly Process process;
    private readonly Uri baseUri;
    private readonly string? folder;
    private readonly System.Text.StringBuilder _output = new();

    private AnchorProcess(string name, Process process, Uri baseUri, string? folder)
    {
        (this.name, this.process, this.baseUri, this.folder) = (name, process, baseUri, folder);
    }

    public static AnchorProcess Start(string name, ProcessStartInfo info, Uri baseUri, string? folder = null)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        var anchor = new AnchorProcess(name, process, baseUri, folder);
        process.OutputDataReceived += (_, line) => anchor.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => anchor.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return anchor;
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    public string Name => name;
    public Uri BaseUri => baseUri;
    public int ProcessId => process.Id;

    public async Task WaitReadyAsync(string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
                {
                lock (_output)
                    throw new InvalidOperationException($"{name} exited at start: {_output}");
            }
            try
            {
                using var answer = await http.GetAsync(path, cancellationToken);
                if (answer.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // slow to start
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"{name} did not answer {path} within 30 s");
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
        if (folder is not null && Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }
}
