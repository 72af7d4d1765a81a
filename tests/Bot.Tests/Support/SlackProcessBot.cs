using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Tests.Slack;

namespace DrBot.Bot.Tests.Support;

/// <summary>What the Slack stand-in answered to one call, and when it received it.</summary>
public sealed record SlackExchange(SlackApiStub.Call Call, int Status, TimeSpan At)
{
    public bool Accepted => Status == 200;
}

/// <summary>
/// The real bot process talking Slack: a <see cref="SlackApiStub"/> on 127.0.0.1 stands in for
/// slack.com/api and the response_urls, the bot is configured for it through environment settings
/// (signing secret, bot token, channel id, API base URL, roster Slack ids), and requests are signed
/// the way Slack signs them.
/// </summary>
public sealed class SlackProcessBot : IAsyncDisposable
{
    public const string Secret = SlackBotHost.Secret;
    public const string Token = SlackBotHost.Token;
    public const string Channel = SlackBotHost.IncidentChannel;
    public const string Alice = "U0ALICE";
    public const string Bob = "U0BOB";
    public const string Carol = "U0CAROL";

    private readonly ConcurrentQueue<SlackExchange> _exchanges = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private SlackProcessBot(SlackApiStub stub, BotProcess bot)
    {
        Stub = stub;
        Bot = bot;
    }

    public SlackApiStub Stub { get; }
    public BotProcess Bot { get; }

    /// <summary>How the stand-in answers; null (or a null result) answers like Slack.</summary>
    public Func<SlackApiStub.Call, StubAnswer?>? Behaviour { get; set; }

    /// <summary>Every call the stand-in received, with its answer, in arrival order.</summary>
    public IReadOnlyList<SlackExchange> Exchanges => _exchanges.OrderBy(e => e.Call.Index).ToList();

    public TimeSpan Elapsed => _clock.Elapsed;

    public static async Task<SlackProcessBot> StartAsync(string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var stub = await SlackApiStub.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["DrBot__Slack__SigningSecret"] = Secret,
            ["DrBot__Slack__BotToken"] = Token,
            ["DrBot__Slack__ChannelId"] = Channel,
            ["DrBot__Slack__ApiBaseUrl"] = stub.ApiBase.ToString(),
            ["DrBot__People__alice__Slack"] = Alice,
            ["DrBot__People__bob__Slack"] = Bob,
            ["DrBot__People__carol__Slack"] = Carol,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        var dataDir = Path.Combine(Path.GetTempPath(), $"drbot-slack-{name}-" + Guid.NewGuid().ToString("N"));
        BotProcess bot;
        try
        {
            bot = await BotProcess.StartAsync(dataDir, settings);
        }
        catch
        {
            await stub.DisposeAsync();
            throw;
        }
        var slack = new SlackProcessBot(stub, bot);
        stub.Override = slack.Answer;
        return slack;
    }

    private StubAnswer Answer(SlackApiStub.Call call)
    {
        var answer = Behaviour?.Invoke(call) ?? LikeSlack(call);
        _exchanges.Enqueue(new SlackExchange(call, answer.Status, _clock.Elapsed));
        return answer;
    }

    /// <summary>Slack's success answers; a post's ts is derived from the call's number so tests can tell which post a ts belongs to.</summary>
    public static StubAnswer LikeSlack(SlackApiStub.Call call)
    {
        if (call.Path.StartsWith("/response/", StringComparison.Ordinal))
            return new StubAnswer(200, "ok");
        return call.Method switch
        {
            "chat.postMessage" => StubAnswer.Ok(new JsonObject { ["channel"] = (string?)call.Json["channel"], ["ts"] = TsOf(call) }),
            "chat.update" => StubAnswer.Ok(new JsonObject { ["channel"] = (string?)call.Json["channel"], ["ts"] = (string?)call.Json["ts"] }),
            "chat.postEphemeral" => StubAnswer.Ok(new JsonObject { ["message_ts"] = TsOf(call) }),
            "conversations.create" => StubAnswer.Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = "C0WARROOM", ["name"] = (string?)call.Json["name"] } }),
            "conversations.invite" => StubAnswer.Ok(new JsonObject { ["channel"] = new JsonObject { ["id"] = (string?)call.Json["channel"] } }),
            "views.open" => StubAnswer.Ok(new JsonObject { ["view"] = new JsonObject { ["id"] = $"V{call.Index:000000}" } }),
            _ => StubAnswer.Error("unknown_method"),
        };
    }

    public static string TsOf(SlackApiStub.Call call) => $"1700000000.{call.Index:000000}";

    /// <summary>Accepted chat.postMessage and chat.update calls, in the order the stand-in received them.</summary>
    public IReadOnlyList<SlackExchange> AcceptedChatWrites() =>
        Exchanges.Where(e => e.Accepted && e.Call.Method is "chat.postMessage" or "chat.update").ToList();

    /// <summary>The ts a chat write concerns: the one Slack gave the post, or the one being updated.</summary>
    public static string TsOfWrite(SlackApiStub.Call call) =>
        call.Method == "chat.update" ? (string)call.Json["ts"]! : TsOf(call);

    /// <summary>Polls the recorded calls until one matches.</summary>
    public async Task<SlackExchange> WaitForAsync(Func<SlackExchange, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Exchanges.FirstOrDefault(match) is { } found)
                return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"The Slack stand-in never received {what} within {timeout}. Calls:\n{Describe()}\nBot output:\n{Bot.Output}");
    }

    public string Describe() => string.Join('\n', Exchanges.Select(e =>
        $"#{e.Call.Index} {e.At.TotalSeconds:0.0}s {e.Call.Path} → {e.Status}: {Truncate(SlackBlocks.Text(e.Call))}"));

    private static string Truncate(string text) => text.Length <= 160 ? text.ReplaceLineEndings(" ") : text[..160].ReplaceLineEndings(" ") + "…";

    /// <summary>Posts like Slack: the raw body signed with a secret and timestamp (each overridable to test refusals).</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(string path, string body, string? secret = Secret, string? timestamp = null, Action<HttpRequestMessage>? tweak = null)
    {
        timestamp ??= UnixNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
        request.Headers.Add(SlackSignatureVerifier.TimestampHeader, timestamp);
        if (secret is not null)
            request.Headers.Add(SlackSignatureVerifier.SignatureHeader, SlackSignatureVerifier.Sign(secret, timestamp, Encoding.UTF8.GetBytes(body)));
        tweak?.Invoke(request);
        return await Bot.Http.SendAsync(request);
    }

    public static string UnixNow(TimeSpan offset = default) =>
        (TimeProvider.System.GetUtcNow() + offset).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>A slash command body as Slack sends it from the incident channel; the reply URL points at the stand-in.</summary>
    public string CommandBody(string command, string text, string userId, string triggerId) =>
        SlackBotHost.CommandBody(command, text, userId, userId.ToLowerInvariant(), triggerId, Stub.ResponseUrl(triggerId));

    public Task<HttpResponseMessage> CommandAsync(string command, string text, string userId, string triggerId, Action<HttpRequestMessage>? tweak = null) =>
        PostSignedAsync("/api/slack/commands", CommandBody(command, text, userId, triggerId), tweak: tweak);

    /// <summary>A block_actions click on a button of a posted message, as Slack delivers it; the reply URL is /response/{responseId}.</summary>
    public Task<HttpResponseMessage> ClickAsync(string userId, string messageTs, JsonObject button, string actionTs, string responseId) =>
        PostSignedAsync("/api/slack/interactions", SlackBotHost.Form(new Dictionary<string, string>
        {
            ["payload"] = SlackBlocks.ClickPayload(userId, Channel, messageTs, button, actionTs, Stub.ResponseUrl(responseId)).ToJsonString(),
        }));

    /// <summary>A view_submission of the modal the bot opened (its views.open call), with <paramref name="typed"/> in its input, as Slack delivers it.</summary>
    public Task<HttpResponseMessage> SubmitModalAsync(string userId, SlackApiStub.Call viewsOpen, string typed, string triggerId) =>
        PostSignedAsync("/api/slack/interactions", SlackBotHost.Form(new Dictionary<string, string>
        {
            ["payload"] = SlackBlocks.SubmissionPayload(userId, viewsOpen.Json["view"]!.AsObject(), typed, triggerId).ToJsonString(),
        }));

    /// <summary>What the bot posted to a response_url, or null when nothing was.</summary>
    public JsonObject? ResponseTo(string responseId) =>
        Exchanges.Where(e => e.Call.Path == $"/response/{responseId}").Select(e => e.Call.Json).FirstOrDefault();

    public async ValueTask DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Stub.DisposeAsync();
    }
}
