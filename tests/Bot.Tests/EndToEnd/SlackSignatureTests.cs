using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DrBot.Bot.Channels.Slack;
using DrBot.Bot.Tests.Slack;
using DrBot.Bot.Tests.Support;
using static DrBot.Bot.Tests.Support.SlackProcessBot;

namespace DrBot.Bot.Tests.EndToEnd;

/// <summary>
/// Requests that are not provably from Slack, against the real bot process: each is refused with
/// 401 on every Slack endpoint, logged, and changes nothing — no Web API call, no run. The same
/// command correctly signed then goes through, so the refusals were the signature's doing.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class SlackSignatureTests
{
    private sealed record Forgery(string Name, string Reason, Func<SlackProcessBot, string, string, Task<HttpResponseMessage>> Send);

    private static readonly Forgery[] Forgeries =
    [
        new("wrong secret", "SignatureMismatch", (slack, path, body) => slack.PostSignedAsync(path, body, secret: "not-the-signing-secret")),
        new("altered body", "SignatureMismatch", (slack, path, body) => slack.PostSignedAsync(path, body, tweak: request =>
            request.Content = Form(body.Replace("west-us", "north-europe", StringComparison.Ordinal).Replace("run-1", "run-2", StringComparison.Ordinal)))),
        new("timestamp 6 minutes old", "StaleTimestamp", (slack, path, body) => slack.PostSignedAsync(path, body, timestamp: UnixNow(TimeSpan.FromMinutes(-6)))),
        new("timestamp 6 minutes ahead", "StaleTimestamp", (slack, path, body) => slack.PostSignedAsync(path, body, timestamp: UnixNow(TimeSpan.FromMinutes(6)))),
        new("no signature header", "MissingHeaders", (slack, path, body) => slack.PostSignedAsync(path, body, secret: null)),
        new("no timestamp header", "MissingHeaders", (slack, path, body) => slack.PostSignedAsync(path, body, tweak: request =>
            request.Headers.Remove(SlackSignatureVerifier.TimestampHeader))),
        new("no Slack headers at all", "MissingHeaders", (slack, path, body) => slack.PostSignedAsync(path, body, secret: null, tweak: request =>
            request.Headers.Remove(SlackSignatureVerifier.TimestampHeader))),
    ];

    [Fact]
    public async Task Unsigned_wrongly_signed_altered_and_stale_requests_get_401_and_reach_neither_Slack_nor_the_engine()
    {
        await using var slack = await StartAsync("signatures");
        var requests = new (string Path, string Body)[]
        {
            ("/api/slack/commands", slack.CommandBody("/failover", "west-us", Alice, "trigger-forged")),
            ("/api/slack/interactions", SlackBotHost.Form(new Dictionary<string, string>
            {
                ["payload"] = SlackBlocks.ClickPayload(Bob, Channel, "1700000000.000001", ForgedApprove(), "1700000600.000001", slack.Stub.ResponseUrl("forged-click")).ToJsonString(),
            })),
            ("/api/slack/events", new JsonObject
            {
                ["type"] = "event_callback",
                ["event_id"] = "Ev0FORGED",
                ["event"] = new JsonObject { ["type"] = "app_mention", ["user"] = Alice, ["channel"] = Channel, ["text"] = "<@U0DRBOT> failover west-us", ["ts"] = "1700000600.000002" },
            }.ToJsonString()),
        };

        foreach (var forgery in Forgeries)
        {
            foreach (var (path, body) in requests)
            {
                using var response = await forgery.Send(slack, path, body);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                    $"{forgery.Name} on {path}: expected 401, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            // The console logger writes on its own thread: wait for the line rather than race it.
            var expected = $"refused: {forgery.Reason}";
            for (var waited = 0; waited < 100 && !slack.Bot.Output.Contains(expected, StringComparison.Ordinal); waited++)
                await Task.Delay(50);
            Assert.Contains(expected, slack.Bot.Output, StringComparison.Ordinal);
        }

        // Anything a forged request had set going would show by now (commands are handled well within a second).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.True(slack.Exchanges.Count == 0, "no call may reach the Slack stand-in:\n" + slack.Describe());
        Assert.Empty(await slack.Bot.MessagesAsync());

        // Control: the very same command, correctly signed, is accepted and starts a run.
        using var genuine = await slack.PostSignedAsync(requests[0].Path, requests[0].Body);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Contains("run-1", await genuine.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await slack.WaitForAsync(e => e.Call.Method == "chat.postMessage", TimeSpan.FromSeconds(30), "a post for the genuine command");
    }

    private static JsonObject ForgedApprove() => new()
    {
        ["type"] = "button",
        ["block_id"] = "actions",
        ["action_id"] = "approve-0",
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Approve" },
        ["value"] = new JsonObject { ["verb"] = "approve", ["runId"] = "run-1", ["stepId"] = "approve-failover", ["version"] = "1" }.ToJsonString(),
    };

    private static ByteArrayContent Form(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
        return content;
    }
}
