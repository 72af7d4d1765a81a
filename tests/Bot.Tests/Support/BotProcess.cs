using System.Diagnostics;
using System.Net.Http.Json;
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
    private readonly BotLauncher _bot;

    private BotProcess(BotLauncher bot, string dataDir)
    {
        _bot = bot;
        DataDir = dataDir;
        Http = new HttpClient { BaseAddress = bot.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add("X-DrBot-Local", "1");
    }

    public int Port => _bot.Port;
    public string DataDir { get; }
    public HttpClient Http { get; }
    public Uri BaseUri => Http.BaseAddress!;
    public string Output => _bot.Output;

    public static async Task<BotProcess> StartAsync(string dataDir, IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(dataDir);
        var env = new Dictionary<string, string>
        {
            ["DrBot__Store__LiteDb__Path"] = Path.Combine(dataDir, "drbot.db"),
            ["DrBot__Infrastructure__SimulatedStatePath"] = Path.Combine(dataDir, "simulated-world.json"),
            ["DrBot__Infrastructure__SimulatedDelayFactor"] = "0.05",
            ["DrBot__Local__LogPath"] = Path.Combine(dataDir, "local-chat.json"),
            ["DrBot__Alerts__Token"] = "test-alert-token",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            env[key] = value;
        return new BotProcess(await BotLauncher.StartAsync(RepoPaths.BotDll, RepoPaths.Root, env, cancellationToken), dataDir);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — a machine lost mid-step.</summary>
    public void Kill()
    {
        _bot.Process.Kill(entireProcessTree: true);
        _bot.Process.WaitForExit(10_000);
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

    /// <summary>
    /// <paramref name="approvers"/> click Approve on the card in message <paramref name="messageId"/> in turn, each on
    /// the card as it is then (a counted approval of a gate needing two leads makes a new card version and digest),
    /// until the gate no longer asks. Returns the last click's answer.
    /// </summary>
    public async Task<JsonObject> ApproveOnCardAsync(string messageId, TimeSpan timeout, params string[] approvers)
    {
        JsonObject? answer = null;
        string? gate = null;
        foreach (var who in approvers)
        {
            var message = await WaitForMessageAsync(m => m["id"]!.GetValue<string>() == messageId, timeout);
            var approve = CardJson.Actions(message["card"]).FirstOrDefault(a => a.Verb == "approve");
            if (approve.Data is null || (gate is not null && approve.Data["stepId"] != gate))
                break;
            gate = approve.Data["stepId"];
            answer = await ClickAsync(who, messageId, "approve", approve.Data);
            if (answer["reply"]!["isError"]!.GetValue<bool>())
                throw new InvalidOperationException($"{who}'s approval was refused: {answer.ToJsonString()}");
            // The card is replaced through the outbox: wait for the version this click made before the next approver looks.
            await WaitForMessageAsync(m => m["id"]!.GetValue<string>() == messageId
                && CardJson.Actions(m["card"]).FirstOrDefault(a => a.Verb == "approve").Data?["version"] != approve.Data["version"], timeout);
        }
        return answer ?? throw new InvalidOperationException($"message {messageId} has no Approve button");
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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_bot.Process.HasExited)
        {
            _bot.Process.Kill(entireProcessTree: true);
            await _bot.Process.WaitForExitAsync();
        }
        _bot.Dispose();
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
