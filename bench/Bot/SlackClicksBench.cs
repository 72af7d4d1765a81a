using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DrBot.Bench.Bot;

/// <summary>
/// Many people clicking one gate on Slack at once (a 3 a.m. page reaches every lead): the clicks are
/// signed block_actions posted to the bot's interactivity endpoint at the same moment, the bot talks to
/// a stand-in for slack.com/api on loopback, and the bench measures each acknowledgement against
/// Slack's 3 s limit, and when the last answer (to each click's response_url) arrived.
/// </summary>
internal sealed class SlackClicksBench(string repoRoot, int clicks)
{
    private const string Secret = "bench-slack-signing-secret";
    private const string SlackLimitMs = "3000";
    private readonly ConcurrentDictionary<string, TimeSpan> _answers = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = new();
    private int _alreadyDecided;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        await using var slackApi = await StartSlackStandInAsync(cancellationToken);
        var port = new Uri(slackApi.Urls.First()).Port;
        await using var bot = await BotUnderTest.StartAsync(repoRoot, cancellationToken, new Dictionary<string, string>
        {
            ["DrBot__Slack__SigningSecret"] = Secret,
            ["DrBot__Slack__BotToken"] = "xoxb-bench",
            ["DrBot__Slack__ChannelId"] = "C0INCIDENT",
            ["DrBot__Slack__ApiBaseUrl"] = $"http://127.0.0.1:{port}/api/",
            ["DrBot__People__bob__Slack"] = "U0BOB",
            ["DrBot__People__carol__Slack"] = "U0CAROL",
        });
        using var http = new HttpClient { BaseAddress = bot.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-DrBot-Local", "1");
        var approve = await OpenGateAsync(http, cancellationToken);

        var value = new JsonObject { ["verb"] = "approve" };
        foreach (var (key, v) in approve)
            value[key] = v;
        var bodies = Enumerable.Range(0, clicks).Select(i => Body(i % 2 == 0 ? "U0BOB" : "U0CAROL", value.ToJsonString(), $"http://127.0.0.1:{port}/response/{i}", i)).ToList();
        var acks = new double[clicks];
        var statuses = new int[clicks];
        _clock.Start();
        await Task.WhenAll(bodies.Select(async (body, i) =>
        {
            using var request = Signed(body);
            var sent = _clock.Elapsed;
            using var answer = await http.SendAsync(request, cancellationToken);
            await answer.Content.ReadAsStringAsync(cancellationToken);
            acks[i] = (_clock.Elapsed - sent).TotalMilliseconds;
            statuses[i] = (int)answer.StatusCode;
        }));
        var waited = Stopwatch.StartNew();
        while (_answers.Count < clicks && waited.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(20, cancellationToken);
        var lastAnswer = _answers.IsEmpty ? "none" : _answers.Values.Max().TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        Array.Sort(acks);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {clicks} clicks on one gate at once | Slack's limit {SlackLimitMs} ms | ack p50 {acks[clicks / 2]:0.0} ms, max {acks[^1]:0.0} ms ({acks[^1] / 3000:0.000}× the limit); {statuses.Count(s => s == 200)}/{clicks} answered 200; answers at response_url {_answers.Count}/{clicks}, last {lastAnswer} ms after the clicks ({_alreadyDecided} told it was already approved) |");
    }

    private static async Task<Dictionary<string, string>> OpenGateAsync(HttpClient http, CancellationToken cancellationToken)
    {
        foreach (var text in new[] { "drill region-down east-us", "/failover west-us" })
        {
            using var sent = await http.PostAsJsonAsync("api/local/messages", new { user = "alice", text }, cancellationToken);
            sent.EnsureSuccessStatusCode();
        }
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var messages = await http.GetFromJsonAsync<JsonArray>("api/local/messages", cancellationToken) ?? [];
            foreach (var card in messages.OfType<JsonObject>().Select(m => m["card"]))
                if (FindApprove(card) is { } data)
                    return data;
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException("setup: no approval card within 60 s");
    }

    private static Dictionary<string, string>? FindApprove(JsonNode? node) => node switch
    {
        JsonObject action when (string?)action["type"] == "Action.Execute" && (string?)action["verb"] == "approve" =>
            (action["data"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? ""),
        JsonObject obj => obj.Select(kv => FindApprove(kv.Value)).FirstOrDefault(found => found is not null),
        JsonArray array => array.Select(FindApprove).FirstOrDefault(found => found is not null),
        _ => null,
    };

    private static string Body(string user, string buttonValue, string responseUrl, int index)
    {
        var payload = new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = user, ["username"] = user },
            ["container"] = new JsonObject { ["type"] = "message", ["channel_id"] = "C0INCIDENT", ["message_ts"] = "1700000000.000001" },
            ["response_url"] = responseUrl,
            ["trigger_id"] = $"trigger-{index}",
            ["actions"] = new JsonArray(new JsonObject
            {
                ["type"] = "button",
                ["action_id"] = "approve-0",
                ["value"] = buttonValue,
                ["action_ts"] = $"1700000100.{index:000000}",
            }),
        };
        return "payload=" + Uri.EscapeDataString(payload.ToJsonString());
    }

    private static HttpRequestMessage Signed(string body)
    {
        var timestamp = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, "api/slack/interactions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    /// <summary>Answers every Web API call like Slack does when it succeeds, and notes when each response_url answer arrives.</summary>
    private async Task<WebApplication> StartSlackStandInAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{ChildProcess.FreePort()}");
        var app = builder.Build();
        var posts = 0;
        app.MapPost("/response/{index}", async (string index, HttpRequest request) =>
        {
            _answers.TryAdd(index, _clock.Elapsed);
            var text = await new StreamReader(request.Body).ReadToEndAsync(cancellationToken);
            if (text.Contains("Already approved", StringComparison.Ordinal))
                Interlocked.Increment(ref _alreadyDecided);
            return Results.Text("ok");
        });
        app.MapPost("/api/{method}", (string method) => Results.Json(new JsonObject
        {
            ["ok"] = true,
            ["channel"] = "C0INCIDENT",
            ["ts"] = $"1700000000.{Interlocked.Increment(ref posts):000000}",
        }));
        await app.StartAsync(cancellationToken);
        return app;
    }
}
