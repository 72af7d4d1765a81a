using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DrBot.Bot.Tests.Support;

/// <summary>
/// The real bot as a separate process (the built DrBot.Bot.dll), on a free loopback port, with its
/// data in a folder of the test's. Used by the end-to-end tests that kill and restart it.
/// </summary>
public sealed class BotProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BotProcess(Process process, int port, string dataDir)
    {
        _process = process;
        Port = port;
        DataDir = dataDir;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }
    public string DataDir { get; }
    public HttpClient Http { get; }
    public Uri BaseUri => Http.BaseAddress!;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<BotProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(dataDir);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{RepoPaths.BotDll}\"")
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["DrBot__Store__LiteDb__Path"] = Path.Combine(dataDir, "drbot.db"),
            ["DrBot__Infrastructure__SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json"),
            ["DrBot__Infrastructure__SimulatedDelayFactor"] = "0.05",
            ["DrBot__Local__LogPath"] = Path.Combine(dataDir, "local-chat.json"),
            ["DrBot__Alerts__Token"] = "test-alert-token",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            env[key] = value;
        foreach (var (key, value) in env)
            start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the bot");
        var bot = new BotProcess(process, port, dataDir);
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
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the bot exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Http.GetAsync("healthz", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"the bot did not become healthy:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — a machine lost mid-step.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async Task<JsonObject> SendAsync(string user, string text, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsJsonAsync("api/local/messages", new { user, text }, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public async Task<JsonObject> ClickAsync(string user, string messageId, string verb, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken = default)
    {
        using var response = await Http.PostAsJsonAsync("api/local/actions", new { user, messageId, verb, data }, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    public async Task<JsonArray> MessagesAsync(CancellationToken cancellationToken = default) =>
        (await Http.GetFromJsonAsync<JsonArray>("api/local/messages", cancellationToken))!;

    /// <summary>Polls the local channel until a message satisfies the condition.</summary>
    public async Task<JsonObject> WaitForMessageAsync(Func<JsonObject, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            foreach (var message in (await MessagesAsync(cancellationToken)).OfType<JsonObject>())
                if (condition(message))
                    return message;
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"no such message within {timeout}. Messages:\n{(await MessagesAsync(cancellationToken)).ToJsonString()}\nBot output:\n{Output}");
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

public static class CardJson
{
    /// <summary>All texts of an Adaptive Card, flattened, for assertions that read like a person reading the card.</summary>
    public static string Text(JsonNode? card)
    {
        var builder = new StringBuilder();
        Walk(card, builder);
        return builder.ToString();
    }

    private static void Walk(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key is "text" or "title" or "value" && value is JsonValue v && v.TryGetValue<string>(out var s))
                        builder.AppendLine(s);
                    else
                        Walk(value, builder);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    Walk(item, builder);
                break;
        }
    }

    /// <summary>The Action.Execute buttons of a card: verb and data.</summary>
    public static IReadOnlyList<(string Title, string Verb, Dictionary<string, string> Data)> Actions(JsonNode? card)
    {
        var found = new List<(string, string, Dictionary<string, string>)>();
        void Visit(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                if (obj["type"]?.GetValue<string>() == "Action.Execute")
                {
                    var data = obj["data"] is JsonObject d ? d.ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? "") : [];
                    found.Add((obj["title"]?.GetValue<string>() ?? "", obj["verb"]?.GetValue<string>() ?? "", data));
                }
                foreach (var (_, value) in obj)
                    Visit(value);
            }
            else if (node is JsonArray array)
            {
                foreach (var item in array)
                    Visit(item);
            }
        }
        Visit(card);
        return found;
    }

    public static string Serialize(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
